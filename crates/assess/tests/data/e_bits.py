# e = sum 1/k!, by binary splitting; emit the first N binary digits of e (integer part "10" first).
import sys
N = 1_000_000
def split(a, b):
    # returns P, Q with sum_{k=a+1}^{b} 1/((a+1)...(k)) = P/Q
    if b - a == 1:
        return 1, b
    m = (a + b) // 2
    p1, q1 = split(a, m)
    p2, q2 = split(m, b)
    return p1 * q2 + p2, q1 * q2
K = 80000
P, Q = split(0, K)   # sum_{k=1}^{K} 1/k!
x = ((P + Q) << (N + 64)) // Q   # e * 2^(N+64)
s = bin(x)[2:]
assert s.startswith("10")
bits = s[:N]
data = int(bits, 2).to_bytes(N // 8, "big")
open(sys.argv[1], "wb").write(data)
print(bits[:64])
