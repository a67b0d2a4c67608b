import CRMCore

/// The table of verbs the shell knows, built-in and added by plugins, by name.
public final class VerbRegistry {
    public private(set) var verbs: [Verb] = []

    public init(_ verbs: [Verb] = VerbRegistry.builtIn) {
        for v in verbs { register(v) }
    }

    /// Adds a verb, replacing one with the same name.
    public func register(_ verb: Verb) {
        verbs.removeAll { $0.name == verb.name }
        verbs.append(verb)
    }

    /// Removes the verbs that match (the old plugin verbs, before a reload adds the new).
    public func unregister(where matches: (Verb) -> Bool) {
        verbs.removeAll(where: matches)
    }

    /// The verb for a name or alias, case-insensitive.
    public func verb(named name: String) -> Verb? {
        let n = name.lowercased()
        return verbs.first { $0.name == n || $0.aliases.contains(n) }
    }

    public var names: [String] { verbs.map(\.name) }

    /// The verbs every shell has, in the order `help` lists them.
    public static var builtIn: [Verb] {
        [AddVerb(), ShowVerb(), ListVerb(), CountVerb(), UpdateVerb(), DeleteVerb(), RecomputeVerb(), FindVerb(), HistoryVerb(),
         EntitiesVerb(), DescribeVerb(), BeginVerb(), CommitVerb(), RollbackVerb(), ImportVerb(), ExportVerb(), BackupVerb(), RestoreVerb(),
         FormatVerb(), ExpandedVerb(), PagerVerb(), ColumnsVerb(), DemoVerb(), PluginsVerb(), PluginVerb(), RulesVerb(), ReportsVerb(),
         ReportVerb(), AnalyticsABC.verb, AnalyticsRFM.verb, AnalyticsLifecycle.verb,
         AnalyticsChurn.verb, AnalyticsLoyalty.verb, AnalyticsSatisfaction.verb, AgendaVerb(), TiersVerb(), CareVerb(), DupesVerb(), MergeVerb(), HealthVerb.verb,
         ReceivablesReport.verb, MarginReport.verb, SLAReport.verb, JobsVerb(), SettingVerb(), TraceVerb(), LuaVerb(), EvalVerb(),
         RunVerb(), EditVerb(), TimingVerb(), OutputVerb(), ConfirmVerb(),
         GrantVerb(on: true), GrantVerb(on: false), WhoamiVerb(), UsersVerb(), AccessVerb(),
         HelpVerb(), QuitVerb()] + SalesVerbs.all
    }
}
