import CLua
import CRMCore

/// `crm.recompute(entity [, filter])`: computes the computed fields of the matching
/// records again, for values that move with the date (a daily job) or after a compute
/// function changed. Returns how many records were recomputed and how many changed.
extension PluginHost {
    func registerComputedAPI(into add: (String, @escaping LuaState.HostFunction) -> Void) {
        add("recompute") { [unowned self] l in
            let e = try self.entityArg(l, 1, "crm.recompute")
            let filter = try self.filterArgument(l, at: 2, entity: e)
            let summary = try self.store.recompute(e.name, where: filter)
            l.push(Int64(summary.recomputed))
            l.push(Int64(summary.changed))
            return 2
        }
    }
}
