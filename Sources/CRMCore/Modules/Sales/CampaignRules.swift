/// Campaign dates in order, and a warning (not a refusal) for a campaign whose segment
/// holds nobody yet: a filter segment may fill up, a list may be planned first.
public enum CampaignRules {
    public static let all: [CoreRule] = [CampaignRule()]
}

struct CampaignRule: CoreRule {
    var name: String { "campaign audience" }
    var entity: String { "campaign" }
    var actions: Set<WriteAction> { [.create, .update] }
    var hasAfter: Bool { true }

    func before(_ event: inout WriteEvent, _ store: CRMStore) throws {
        guard let new = event.new, case .date(let starts)? = new["starts"], case .date(let ends)? = new["ends"],
              let s = DateCodec.days(ofDate: starts), let e = DateCodec.days(ofDate: ends), e < s else { return }
        throw CoreRuleRefusal("campaign", field: "ends", "\(ends) is before the start \(starts)")
    }

    func after(_ event: WriteEvent, _ store: CRMStore) throws {
        guard let new = event.new, new["segment"] != event.old?["segment"], let segment = new["segment"]?.idValue,
              let name = try store.record("segment", id: segment)?["name"].textValue else { return }
        if try store.count("customer", where: .segment(name, position: 0)) == 0 {
            store.warn("warning: campaign '\(new["name"]?.displayText ?? "")' is on segment '\(name)', which has no customers yet")
        }
    }
}

/// Where the core modules' warnings go (the shell prints them on stderr).
public protocol WarningSink: AnyObject {
    var warn: ((String) -> Void)? { get set }
}

extension CRMStore {
    /// A warning about a write that went ahead (a campaign on an empty segment).
    public func warn(_ message: String) {
        (self as? WarningSink)?.warn?(message)
    }
}
