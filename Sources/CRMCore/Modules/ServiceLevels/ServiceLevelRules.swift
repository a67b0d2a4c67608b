/// The rules that keep a ticket's service-level times.
///
/// - The first reply is the first response: a ticket leaving `open` (in progress,
///   resolved or closed) without a `responded` time gets one: its resolution time when it
///   has one, else now.
/// - A resolved or closed ticket without a `resolved` time is resolved now.
/// - Neither time is before the ticket was opened, and the response is not after the
///   resolution.
public enum ServiceLevelRules {
    public static let all: [CoreRule] = [TicketTimes()]

    struct TicketTimes: CoreRule {
        var name: String { "ticket response and resolution times" }
        var entity: String { "ticket" }
        var actions: Set<WriteAction> { [.create, .update] }

        func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
            guard var new = event.new else { return }
            let status = new["status"]?.displayText ?? "open"
            let nowText = Value.datetime(DateCodec.utcText(epochSeconds: store.clock.now()))
            if (status == "resolved" || status == "closed"), (new["resolved"] ?? .null).isNull { new["resolved"] = nowText }
            if status != "open", (new["responded"] ?? .null).isNull {
                new["responded"] = (new["resolved"] ?? .null).isNull ? nowText : new["resolved"]
            }
            let opened = TicketServiceLevel.instant(new["opened"] ?? .null)
            let responded = TicketServiceLevel.instant(new["responded"] ?? .null)
            let resolved = TicketServiceLevel.instant(new["resolved"] ?? .null)
            if let opened, let responded, responded < opened {
                throw CoreRuleRefusal("ticket", field: "responded", "\(show(responded)) is before the ticket was opened (\(show(opened)))")
            }
            if let opened, let resolved, resolved < opened {
                throw CoreRuleRefusal("ticket", field: "resolved", "\(show(resolved)) is before the ticket was opened (\(show(opened)))")
            }
            if let responded, let resolved, responded > resolved {
                throw CoreRuleRefusal("ticket", field: "responded", "the first response (\(show(responded))) is after the resolution (\(show(resolved)))")
            }
            event.new = new
        }

        func show(_ t: Int) -> String { DateCodec.localDisplay(utc: DateCodec.utcText(epochSeconds: t)) }
    }
}
