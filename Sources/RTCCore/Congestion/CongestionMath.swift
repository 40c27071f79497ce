/// Small numeric helpers for the estimators (RTCCore does not import Foundation).
enum CongestionMath {
    /// e^x by range reduction and a Taylor series (relative error < 1e-12 for |x| < 50).
    static func exp(_ x: Double) -> Double {
        guard x.isFinite else { return x > 0 ? .infinity : 0 }
        if x > 700 { return .infinity }
        if x < -700 { return 0 }
        var k = 0
        var r = x
        while abs(r) > 0.01 { r /= 2; k += 1 }
        var term = 1.0, sum = 1.0
        for n in 1...8 { term *= r / Double(n); sum += term }
        for _ in 0..<k { sum *= sum }
        return sum
    }

    /// ln(x) for x > 0 by Newton iteration on exp (enough for the constants used here).
    static func log(_ x: Double) -> Double {
        guard x > 0, x.isFinite else { return x == 0 ? -.infinity : .nan }
        var m = x, e = 0.0
        while m > 2 { m /= 2; e += 1 }
        while m < 1 { m *= 2; e -= 1 }
        var y = m - 1
        for _ in 0..<30 { y -= 1 - m / exp(y) }
        return y + e * 0.693_147_180_559_945_3
    }

    /// base^x for base > 0.
    static func power(_ base: Double, _ x: Double) -> Double { exp(x * log(base)) }
}
