//! Numerical helpers shared by the estimators: Kahan summation, NIST's floating-point
//! closeness test and the guarded bisection that NIST's `ea_non_iid` uses to invert the
//! compression estimator's expectation and the predictors' local-run probability.
//!
//! Reproducing the tool's stopping rules (rather than solving to full precision) keeps
//! the reported numbers identical to the tool's to ~1e-12, far inside the 1e-6 target.

/// The 0.995 one-sided standard normal quantile used by every SP 800-90B bound
/// (SP 800-90B §6.3: Z_α = 2.576; NIST's tool uses this 17-digit value).
pub const Z_ALPHA: f64 = 2.575_829_303_548_901;

/// Maximum bisection steps (NIST's tool: `ITERMAX`, enough to exhaust a double's range).
const ITER_MAX: usize = 1076;

/// One step of Kahan compensated summation (`sum`, `comp` updated in place).
#[inline]
pub(crate) fn kahan_add(sum: &mut f64, comp: &mut f64, x: f64) {
    let y = x - *comp;
    let t = *sum + y;
    *comp = (t - *sum) - y;
    *sum = t;
}

/// NIST's `relEpsilonEqual(a, b, DBL_MIN, DBL_EPSILON, 4)`: relative closeness to one ulp
/// of relative error, an absolute test near zero, or at most four ulps apart.
pub(crate) fn close_enough(a: f64, b: f64) -> bool {
    if a.is_nan() || b.is_nan() {
        return false;
    }
    if a == b {
        return true;
    }
    if a.is_infinite() || b.is_infinite() {
        return false;
    }
    let (mut lo, mut hi) = (a, b);
    if lo.abs() > hi.abs() {
        std::mem::swap(&mut lo, &mut hi);
    }
    let diff = (hi - lo).abs();
    if lo.abs() < f64::MIN_POSITIVE
        || diff < f64::MIN_POSITIVE
        || diff.is_infinite()
        || hi.abs() * f64::EPSILON < f64::MIN_POSITIVE
    {
        return diff <= f64::MIN_POSITIVE;
    }
    if diff <= hi.abs() * f64::EPSILON {
        return true;
    }
    if lo.is_sign_negative() != hi.is_sign_negative() {
        return false;
    }
    hi.abs().to_bits() - lo.abs().to_bits() <= 4
}

fn in_closed(x: f64, a: f64, b: f64) -> bool {
    if a > b {
        x >= b && x <= a
    } else {
        x >= a && x <= b
    }
}

fn in_open(x: f64, a: f64, b: f64) -> bool {
    if a > b {
        x > b && x < a
    } else {
        x > a && x < b
    }
}

/// Solves `f(p) = target` for a decreasing `f` on `[ldomain, hdomain]` the way NIST's tool
/// does (same midpoint sequence and stopping tests). `on_escape` is returned when the
/// bracket leaves the domain or stops enclosing the target (the tool returns the domain's
/// low end for the compression estimator and its high end for the predictors).
pub(crate) fn bisect_decreasing(
    f: impl Fn(f64) -> f64,
    target: f64,
    ldomain: f64,
    hdomain: f64,
    on_escape: f64,
) -> f64 {
    let (mut lbound, mut hbound) = (ldomain, hdomain);
    let (mut lvalue, mut hvalue) = (f64::INFINITY, f64::NEG_INFINITY);
    let mut p = (lbound + hbound) / 2.0;
    let mut value = f(p);
    for _ in 0..ITER_MAX {
        if close_enough(value, target) {
            break;
        }
        if target < value {
            lbound = p;
            lvalue = value;
        } else {
            hbound = p;
            hvalue = value;
        }
        if lbound >= hbound {
            return lbound.max(hbound).min(hdomain);
        }
        if !(in_closed(lbound, ldomain, hdomain) && in_closed(hbound, ldomain, hdomain)) {
            return on_escape;
        }
        if !in_closed(target, lvalue, hvalue) {
            return on_escape;
        }
        let last = p;
        p = (lbound + hbound) / 2.0;
        if !in_open(p, lbound, hbound) || last == p {
            return hbound;
        }
        value = f(p);
        if !in_closed(value, lvalue, hvalue) {
            return hbound;
        }
    }
    p
}

/// `-log2(p)` upper bound of a proportion: p_u = min(1, p̂ + Z·sqrt(p̂(1-p̂)/(n-1)))
/// (SP 800-90B §6.3.1 step 3, with n - 1 as NIST's tool uses).
pub(crate) fn upper_bound(p_hat: f64, n: f64) -> f64 {
    (p_hat + Z_ALPHA * (p_hat * (1.0 - p_hat) / (n - 1.0)).sqrt()).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closeness_follows_ulps() {
        assert!(close_enough(1.0, 1.0 + f64::EPSILON));
        assert!(!close_enough(1.0, 1.0 + 1e-12));
        assert!(close_enough(0.0, 0.0));
        assert!(!close_enough(f64::NAN, 1.0));
    }

    #[test]
    fn bisection_finds_a_root() {
        let root = bisect_decreasing(|x| 1.0 - x * x, 0.75, 0.0, 1.0, -1.0);
        assert!((root - 0.5).abs() < 1e-12);
    }
}
