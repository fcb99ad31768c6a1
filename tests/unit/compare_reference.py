#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# Where the reference values of tests/unit/compare_test.cpp come from, computed independently of
# results/compare_statistics.cpp (no scipy on these machines): the exact p-value by enumerating
# every split of the pooled ranks (itertools), the normal approximation with tie and continuity
# correction as scipy.stats.mannwhitneyu's "asymptotic" method, and the Hodges-Lehmann ratio with
# Moses' interval from sorted pairwise log differences. Run: /usr/bin/python3 compare_reference.py
import itertools
import math
from fractions import Fraction


def u_new(base, new):
    """Pairs (base, new) with new > base, a tie counting 1/2."""
    return sum((y > x) + 0.5 * (y == x) for x in base for y in new)


def exact_counts(m, n):
    """How many of the C(m + n, m) rankings give each U, by enumerating them all."""
    counts = {}
    for positions in itertools.combinations(range(m + n), m):
        u = sum(p - i for i, p in enumerate(positions))  # values of the other sample below each
        counts[u] = counts.get(u, 0) + 1
    return counts, math.comb(m + n, m)


def exact_p(base, new):
    m, n = len(base), len(new)
    counts, total = exact_counts(n, m)
    u = u_new(base, new)
    far = max(u, m * n - u)
    return min(1.0, 2 * sum(c for k, c in counts.items() if k >= far) / total)


def normal_p(base, new):
    m, n = len(base), len(new)
    total = m + n
    groups = {}
    for v in base + new:
        groups[v] = groups.get(v, 0) + 1
    tie_term = sum(t**3 - t for t in groups.values())
    variance = m * n / 12 * ((total + 1) - tie_term / (total * (total - 1)))
    u = u_new(base, new)
    far = max(u, m * n - u)
    z = (far - m * n / 2 - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(z / math.sqrt(2)))


def log_differences(base, new):
    return sorted(math.log(y) - math.log(x) for x in base for y in new)


def hodges_lehmann(d):
    return math.exp((d[(len(d) - 1) // 2] + d[len(d) // 2]) / 2)


def moses_exact(base, new, alpha):
    """(estimate, low, high): k the largest with P(U <= k - 1) <= alpha / 2, exactly."""
    m, n = len(base), len(new)
    d = log_differences(base, new)
    counts, total = exact_counts(n, m)
    below, k = 0, 0
    while Fraction(below + counts.get(k, 0), total) <= Fraction(alpha).limit_denominator() / 2:
        below += counts.get(k, 0)
        k += 1
    if k == 0:
        return hodges_lehmann(d), None, None
    return hodges_lehmann(d), math.exp(d[k - 1]), math.exp(d[m * n - k])


def moses_normal(base, new, alpha):
    m, n = len(base), len(new)
    d = log_differences(base, new)
    sigma = math.sqrt(m * n * (m + n + 1) / 12)
    k = 0
    while 0.5 * math.erfc(-((k + 1) - 0.5 - m * n / 2) / sigma / math.sqrt(2)) <= alpha / 2:
        k += 1
    return hodges_lehmann(d), math.exp(d[k - 1]), math.exp(d[m * n - k])


separated = ([1, 2, 3, 4], [5, 6, 7, 8])
scipy_docs = ([20, 11, 17, 12], [19, 22, 16, 29, 24])  # females, males of scipy's example
interleaved = ([0.91, 1.02, 0.97, 1.10, 0.99, 1.05, 0.95, 1.01, 1.07, 0.93],
               [1.03, 0.98, 1.12, 1.08, 0.96, 1.15, 1.04, 1.09, 1.11, 1.00, 1.06, 1.13])
ties = ([1, 2, 2, 3, 3, 3, 4, 5], [3, 4, 4, 5, 5, 6, 7, 7])
big_base = [1.0 + ((i * 37) % 61) / 100 for i in range(60)]
big_new = [1.05 + ((i * 41) % 59) / 100 for i in range(60)]
ten = [1.0 + 0.01 * i for i in range(10)]

for name, (b, n) in {"separated": separated, "scipy_docs": scipy_docs,
                     "interleaved": interleaved}.items():
    print(name, "U", u_new(b, n), "exact p", repr(exact_p(b, n)))
print("scipy_docs normal p", repr(normal_p(*scipy_docs)))
print("ties U", u_new(*ties), "normal p", repr(normal_p(*ties)))
print("big U", u_new(big_base, big_new), "normal p", repr(normal_p(big_base, big_new)))
print("interleaved moses", [repr(v) for v in moses_exact(*interleaved, 0.05)])
print("x1.5 moses", [repr(v) for v in moses_exact(ten, [1.5 * v for v in ten], 0.05)])
print("separated moses", [repr(v) for v in moses_exact(*separated, 0.05)])
print("3 v 3 moses", moses_exact([1, 2, 3], [4, 5, 6], 0.05))
print("big moses (normal)", [repr(v) for v in moses_normal(big_base, big_new, 0.05)])
print("big x1.5 moses (normal)",
      [repr(v) for v in moses_normal(big_base, [1.5 * v for v in big_base], 0.05)])
