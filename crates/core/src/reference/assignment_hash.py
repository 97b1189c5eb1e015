# Independent implementation of uplift::assignment_hash (keyed SplitMix64 over 8-byte chunks),
# to pin its values: a change of the hash would silently change every recorded campaign.
M = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15
def mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return z ^ (z >> 31)
def h(seed, s):
    b = s.encode()
    x = mix(seed ^ GAMMA)
    for i in range(0, len(b), 8):
        c = b[i:i+8].ljust(8, b'\0')
        x = (mix(x ^ int.from_bytes(c, 'little')) + GAMMA) & M
    return mix(x ^ len(b))
for seed, s in [(0, ""), (42, "C1"), (42, "C2"), (7, "customer-000123"), (7, "Ольга")]:
    print(seed, repr(s), hex(h(seed, s)))
