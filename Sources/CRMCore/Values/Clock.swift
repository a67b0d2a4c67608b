/// The current time as the store sees it; tests and scripts can pin it.
///
/// Two readings: `now`, which `created`, `updated`, "today" and relative dates use, and
/// `auditNow`, the time the audit trail records. A clock pinned with `pinned(at:)`
/// (`crm.set_now` in a script or test) moves only `now`: the audit trail keeps the time
/// the process runs on (the real one, or `CRM_NOW` when the whole run is pinned).
public struct Clock: Sendable {
    /// Seconds since the epoch, UTC.
    public var now: @Sendable () -> Int
    /// Seconds since the epoch for audit rows; never moved by `pinned(at:)`.
    public var auditNow: @Sendable () -> Int

    public init(now: @escaping @Sendable () -> Int) {
        self.now = now
        self.auditNow = now
    }

    /// The real clock.
    public static let system = Clock { Int(time(nil)) }

    /// A clock stopped at one instant, for both readings (`CRM_NOW`, tests).
    public static func fixed(_ epochSeconds: Int) -> Clock { Clock { epochSeconds } }

    /// This clock with "now" stopped at one instant and the audit time left as it is.
    public func pinned(at epochSeconds: Int) -> Clock {
        var c = self
        c.now = { epochSeconds }
        return c
    }

    /// Today's local day number (days since 1970-01-01).
    public var today: Int { DateCodec.localDay(epochSeconds: now()) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
