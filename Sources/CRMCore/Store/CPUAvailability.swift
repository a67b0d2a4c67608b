import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether a second core is free for the background writer, measured while it runs.
///
/// Over each interval it compares the whole machine's busy time (`/proc/stat`) with this
/// process's CPU time (`getrusage`): the difference is what other processes used. When they
/// take more than half a core of the ones this process may run on, two threads of ours
/// share one core and handing records to a second thread only adds switching, so the
/// writer should work inline. Without `/proc` (macOS) only the number of cores counts.
struct CPUAvailability {
    /// Cores this process may run on.
    let cores: Int
    private var last: Sample?

    struct Sample {
        /// Seconds the whole machine was busy (all cores) and idle, and this process's CPU seconds.
        var machineBusy: Double
        var machineTotal: Double
        var own: Double
    }

    init(cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        self.cores = cores
    }

    /// Starts an interval; `secondCoreFree()` judges the time since.
    mutating func start() { last = CPUAvailability.sample() }

    /// Whether, since the last call (or `start`), another core was free for our writer;
    /// nil when it cannot be told (no `/proc/stat`, or too short an interval).
    mutating func secondCoreFree() -> Bool? {
        if cores < 2 { return false }
        guard let now = CPUAvailability.sample() else { return nil }
        defer { last = now }
        guard let before = last else { return nil }
        return CPUAvailability.secondCoreFree(before: before, after: now, machineCores: CPUAvailability.machineCores, cores: cores)
    }

    /// The judgement on two samples: other processes used less than half a core of ours.
    static func secondCoreFree(before: Sample, after: Sample, machineCores: Int, cores: Int) -> Bool? {
        let total = after.machineTotal - before.machineTotal
        // /proc/stat sums all cores, in ticks of 1/100 s: below ~50 ms the figure is noise.
        guard total > 0.05 * Double(machineCores) else { return nil }
        let wall = total / Double(machineCores)
        let busy = (after.machineBusy - before.machineBusy) / wall   // cores in use, everyone
        let ours = (after.own - before.own) / wall                   // cores in use, this process
        let others = max(0, busy - ours)
        // Others on cores we cannot use do not compete with us.
        let competing = max(0, others - Double(machineCores - cores))
        return Double(cores) - competing >= 1.5
    }

    /// All cores of the machine (the `/proc/stat` totals are over these).
    static let machineCores = ProcessInfo.processInfo.processorCount

    static func sample() -> Sample? {
        guard let stat = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = stat.split(separator: "\n", maxSplits: 1).first,
              let ticks = machineTicks(String(line)) else { return nil }
        var usage = rusage()
        #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        let own = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        return Sample(machineBusy: ticks.busy / 100, machineTotal: ticks.total / 100, own: own)
    }

    /// Busy and total ticks of the aggregate `cpu` line of `/proc/stat`
    /// (user nice system idle iowait irq softirq steal …; idle and iowait are not busy).
    static func machineTicks(_ line: String) -> (busy: Double, total: Double)? {
        let parts = line.split(separator: " ")
        guard parts.first == "cpu", parts.count >= 5 else { return nil }
        let values = parts.dropFirst().prefix(8).compactMap { Double($0) }
        guard values.count >= 4 else { return nil }
        let total = values.reduce(0, +)
        let idle = values[3] + (values.count > 4 ? values[4] : 0)
        return (total - idle, total)
    }
}
