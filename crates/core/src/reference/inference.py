# Independent reference values for crates/core/src/inference.rs tests (mpmath 1.3, 50 digits).
from mpmath import mp, mpf, erfc, sqrt, betainc, binomial, findroot, quad, gamma
mp.dps = 50
def ncdf(x): return erfc(-mpf(x)/sqrt(2))/2
for x in [-8, -3, -1.959963984540054, -1, 0, 0.5, 1, 2.5, 5, 8]:
    print("ncdf", x, mp.nstr(ncdf(x), 17))
for z in [0, 1, 1.959963984540054, 3, 6, 10]:
    print("two_sided", z, mp.nstr(erfc(mpf(z)/sqrt(2)), 17))
def tsf(t, df):
    t = mpf(t); df = mpf(df)
    x = df/(df+t*t)
    return betainc(df/2, mpf(1)/2, 0, x, regularized=True)/2
for t, df in [(2,10),(1,1),(12.706204736174707,1),(0.5,3),(3,2.5),(2.2,30),(4,100),(1.96,1e6),(6, 5)]:
    print("tsf", t, df, mp.nstr(tsf(t, df), 17))
for df in [1, 2, 2.5, 5, 10, 30, 100, 1000, 1e6]:
    q = findroot(lambda t: tsf(t, df) - mpf('0.025'), 2)
    print("tq975", df, mp.nstr(q, 17))
def fisher(a,b,c,d):
    n1=a+b; n2=c+d; m=a+c; N=n1+n2
    def p(x): return binomial(n1,x)*binomial(n2,m-x)/binomial(N,m)
    lo=max(0,m-n2); hi=min(n1,m)
    pa=p(a)
    return sum(p(x) for x in range(lo,hi+1) if p(x) <= pa*(1+mpf('1e-7')))
for t in [(3,1,1,3),(1,9,11,3),(0,10,0,10),(10,0,0,10),(7,12,0,5),(2,998,9,991),(0,0,3,4)]:
    print("fisher", t, mp.nstr(fisher(*t), 17))
def wilson(x,n,z=mpf('1.959963984540054')):
    x=mpf(x); n=mpf(n); p=x/n
    c=(p+z*z/(2*n))/(1+z*z/n); h=z/(1+z*z/n)*sqrt(p*(1-p)/n+z*z/(4*n*n))
    return c-h, c+h
def newcombe(x1,n1,x2,n2):
    l1,u1=wilson(x1,n1); l2,u2=wilson(x2,n2); p1=mpf(x1)/n1; p2=mpf(x2)/n2; d=p1-p2
    return d-sqrt((p1-l1)**2+(u2-p2)**2), d+sqrt((u1-p1)**2+(p2-l2)**2)
for t in [(56,70,48,80),(9,10,3,10),(6,7,2,7),(5,56,0,29),(0,10,0,20),(0,10,0,10),(10,10,0,20),(10,10,0,10)]:
    lo,hi=newcombe(*t); print("newcombe", t, mp.nstr(lo,17), mp.nstr(hi,17))
for t in [(0,1),(1,1),(3,10),(81,263)]:
    lo,hi=wilson(*t); print("wilson", t, mp.nstr(lo,17), mp.nstr(hi,17))
# Far end of the continued fraction's range (large df).
for df in [1e5, 5e6, 1e7]:
    for t in [0.01, 1.96, 5, 30]:
        print("tsf_big", t, df, mp.nstr(tsf(t, df), 17))
