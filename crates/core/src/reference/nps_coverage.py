# Coverage of the NPS Wald interval (independent simulation, 20,000 studies per setting).
# Output (seed 1): n=30 p=.4 d=.3: 0.9328; n=30 .6/.1: 0.9293; n=30 .8/.05: 0.9128;
# n=50 .6/.1: 0.9374; n=100 .6/.1: 0.9424; n=30 .3/.3: 0.9341.
import random, math
Z=1.959963984540054
def cov(n,p,d,reps=20000,seed=1):
    r=random.Random(seed); c=0; t=100*(p-d)
    for _ in range(reps):
        P=D=0
        for _ in range(n):
            u=r.random()
            if u<p: P+=1
            elif u<p+d: D+=1
        ps=P/n; ds=D/n; v=ps+ds-(ps-ds)**2; se=100*math.sqrt(v/n); s=100*(ps-ds)
        lo=max(-100,s-Z*se); hi=min(100,s+Z*se)
        c+= lo<=t<=hi
    return c/reps
for n,p,d in [(30,0.4,0.3),(30,0.6,0.1),(30,0.8,0.05),(50,0.6,0.1),(100,0.6,0.1),(30,0.3,0.3)]:
    print(n,p,d,cov(n,p,d))
