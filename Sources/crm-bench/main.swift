import CRMCore
import CRMPostgres
import CRMShell
import Foundation

/// In-process latency harness for scripts/bench: runs each query shape many times on a
/// database and prints p50/p99 (milliseconds) as JSON lines. Usage:
///   crm-bench DB lookups|find-cjk|find-phone|list [COUNT]
/// Queries go through the same store calls the shell's commands use. DB is a SQLite file or
/// a postgresql:// (postgres://) URL, opened as `crm --db` opens it.
let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write(Data("usage: crm-bench DB lookups|find-cjk|find-phone|list [COUNT]\n".utf8))
    exit(2)
}
let onPostgres = args[1].hasPrefix("postgresql://") || args[1].hasPrefix("postgres://")
let store: CRMStore = onPostgres ? try PostgresStore(url: args[1], user: "bench") : try SQLiteStore(path: args[1], user: "bench")
let mode = args[2]
let count = args.count > 3 ? Int(args[3]) ?? 1000 : 1000

/// A fixed-seed generator so every run asks the same questions.
var seed: UInt64 = 20261122
func random(_ n: Int) -> Int {
    seed = seed &* 6364136223846793005 &+ 1442695040888963407
    return Int((seed >> 33) % UInt64(n))
}

func sample(_ sql: String) throws -> [String] {
    try store.select(sql: sql, arguments: []).rows.map { $0[0].displayText }
}

func measure(_ name: String, _ inputs: [String], _ body: (String) throws -> Int) throws {
    var times: [Double] = []
    var rows = 0
    times.reserveCapacity(count)
    for i in 0..<count {
        let input = inputs[i % inputs.count]
        let start = DispatchTime.now().uptimeNanoseconds
        rows += try body(input)
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    times.sort()
    let p50 = times[times.count / 2], p99 = times[min(times.count - 1, times.count * 99 / 100)]
    print("{\"measure\":\"\(name)\",\"count\":\(count),\"p50_ms\":\(p50),\"p99_ms\":\(p99),\"rows\":\(rows)}")
}

let total = try store.count("customer", where: nil)
guard total > 0 else { FileHandle.standardError.write(Data("crm-bench: no customers in \(args[1])\n".utf8)); exit(1) }

switch mode {
case "lookups":
    // Exact phone lookups: phones of random existing customers.
    var phones: [String] = []
    for _ in 0..<min(count, 10_000) {
        phones += try sample("SELECT phone FROM customer WHERE id = \(1 + random(total))")
    }
    try measure("lookup_phone", phones) { phone in
        try store.list(Query(entity: "customer", filter: .compare(FieldRef("phone"), .eq, Literal(phone, quoted: true)))).rows.count
    }
case "find-cjk":
    // Two-character Chinese names as people type them: surname + given name.
    let twoHan = onPostgres ? "name ~ '^[一-龥]{2}'" : "name GLOB '[一-龥][一-龥]*'"
    let names = try sample("SELECT DISTINCT substr(name, 1, 2) FROM customer WHERE \(twoHan) LIMIT 200")
    try measure("find_cjk_2", names) { try store.find($0, limit: 50).rows.count }
case "find-phone":
    // Phone fragments: 4 to 6 digits from the middle of real numbers.
    var fragments: [String] = []
    for _ in 0..<200 {
        if let p = try sample("SELECT phone FROM customer WHERE id = \(1 + random(total))").first, p.count >= 11 {
            let start = 3 + random(4), length = 4 + random(3)
            let chars = Array(p)
            fragments.append(String(chars[start..<min(chars.count, start + length)]))
        }
    }
    try measure("find_phone_fragment", fragments) { try store.find($0, limit: 50).rows.count }
case "list":
    // list customer where city = … and created > … order by name limit 50
    let cities = try sample("SELECT DISTINCT city FROM customer LIMIT 20")
    try measure("list_city_created", cities) { city in
        let filter = try Session.parseFilter("city = '\(city)' and created > 2024-01-01")
        return try store.list(Query(entity: "customer", filter: filter, order: [SortKey(FieldRef("name"))], limit: 50)).rows.count
    }
default:
    FileHandle.standardError.write(Data("crm-bench: unknown mode \(mode)\n".utf8))
    exit(2)
}
