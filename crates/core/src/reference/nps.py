# Independent reference values for crates/core/src/nps tests (mpmath 1.3, 50 digits).
from mpmath import mp, mpf, sqrt, erfc, betainc, findroot
mp.dps = 50
Z = mpf('1.959963984540054')
def nps(P, A, D):
    n = mpf(P + A + D); p = P/n; d = D/n
    v = p + d - (p - d)**2
    se = 100*sqrt(v/n)
    return 100*(p-d), se, Z*se, v, n, p, d
for c in [(50,30,20), (29,0,1), (60,25,15)]:
    s, se, m, *_ = nps(*c)
    print("nps", c, mp.nstr(s,17), mp.nstr(se,17), mp.nstr(m,17), mp.nstr(s-m,17), mp.nstr(s+m,17))
# change from (50,30,20) to (60,25,15)
b = nps(50,30,20); o = nps(60,25,15)
delta = o[0]-b[0]
se = sqrt(b[1]**2 + o[1]**2)
p0 = mpf(110)/200; d0 = mpf(35)/200; v0 = p0 + d0 - (p0-d0)**2
se0 = 100*sqrt(v0*(mpf(1)/100 + mpf(1)/100))
print("change", mp.nstr(delta,17), mp.nstr(delta - Z*se,17), mp.nstr(delta + Z*se,17), "p", mp.nstr(erfc(abs(delta/se0)/sqrt(2)),17))
# CSAT counts [1,1,2,3,3]
xs = [1,2,3,3,4,4,4,5,5,5]
n = mpf(len(xs)); mean = sum(xs)/n; var = sum((x-mean)**2 for x in xs)/(n-1)
def tsf(t, df): 
    x = df/(df+t*t); return betainc(df/2, mpf(1)/2, 0, x, regularized=True)/2
q = findroot(lambda t: tsf(t, mpf(9)) - mpf('0.025'), 2)
print("csat mean", mp.nstr(mean,17), "ci", mp.nstr(mean - q*sqrt(var/n),17), mp.nstr(mean + q*sqrt(var/n),17))
