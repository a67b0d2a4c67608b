/// The current time as the store sees it; tests and scripts can pin it.
public struct Clock: Sendable {
    /// Seconds since the epoch, UTC.
    public var now: @Sendable () -> Int

    public init(now: @escaping @Sendable () -> Int) {
        self.now = now
    }

    /// The real clock.
    public static let system = Clock { Int(time(nil)) }

    /// A clock stopped at one instant.
    public static func fixed(_ epochSeconds: Int) -> Clock { Clock { epochSeconds } }

    /// Today's local day number (days since 1970-01-01).
    public var today: Int { DateCodec.localDay(epochSeconds: now()) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
