# Reference values for crates/core/src/uplift tests (mpmath 1.3, 50 digits).
from mpmath import mp, mpf, sqrt, erfc, betainc, findroot
mp.dps = 50
Z = mpf('1.959963984540054')
def wilson(x, n):
    x = mpf(x); n = mpf(n); p = x/n
    c = (p + Z*Z/(2*n))/(1 + Z*Z/n); h = Z/(1 + Z*Z/n)*sqrt(p*(1-p)/n + Z*Z/(4*n*n))
    return c-h, c+h
def newcombe(x1, n1, x2, n2):
    l1, u1 = wilson(x1, n1); l2, u2 = wilson(x2, n2); p1 = mpf(x1)/n1; p2 = mpf(x2)/n2; d = p1 - p2
    return d - sqrt((p1-l1)**2 + (u2-p2)**2), d + sqrt((u1-p1)**2 + (p2-l2)**2)
def tsf(t, df):
    x = df/(df+t*t); return betainc(df/2, mpf(1)/2, 0, x, regularized=True)/2
# Treated 40 of 200 converted (100 each), control 20 of 200 (100 each).
lo, hi = newcombe(40, 200, 20, 200)
pool = mpf(60)/400; se = sqrt(pool*(1-pool)*(mpf(2)/200)); z = mpf('0.1')/se
print("rate ci", mp.nstr(lo, 17), mp.nstr(hi, 17), "p", mp.nstr(erfc(z/sqrt(2)), 17))
def sample(conv, n, amount):
    xs = [mpf(amount)]*conv + [mpf(0)]*(n-conv); m = sum(xs)/n
    return m, sum((x-m)**2 for x in xs)/(n-1)
mt, vt = sample(40, 200, 100); mc, vc = sample(20, 200, 100)
se2 = vt/200 + vc/200; se = sqrt(se2)
df = se2**2/((vt/200)**2/199 + (vc/200)**2/199)
q = findroot(lambda t: tsf(t, df) - mpf('0.025'), 2)
d = mt - mc
print("revenue diff", mp.nstr(d, 17), "se", mp.nstr(se, 17), "df", mp.nstr(df, 17),
      "ci", mp.nstr(d - q*se, 17), mp.nstr(d + q*se, 17), "p", mp.nstr(2*tsf(d/se, df), 17))
print("net", mp.nstr(d*200 - 1000, 17), mp.nstr((d - q*se)*200 - 1000, 17), mp.nstr((d + q*se)*200 - 1000, 17))
