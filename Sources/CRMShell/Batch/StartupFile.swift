import CRMCore
import Foundation

/// The start-up file (psql's `.psqlrc`): commands run before the prompt, `-c` and `run`,
/// unless `-X` is given. Meant for `timing on`, `format vertical`, `confirm 50` and the like.
public enum StartupFile {
    /// `$XDG_CONFIG_HOME/crm/crmrc`, else `~/.config/crm/crmrc`; nil without a home.
    public static func path(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if let config = environment["XDG_CONFIG_HOME"], config.hasPrefix("/") { return config + "/crm/crmrc" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.config/crm/crmrc"
    }

    /// Runs the file's commands when it exists. A failing command is reported
    /// (`PATH:LINE: message`) and the rest still run; the run that follows is not affected,
    /// and neither is its exit code, as with psql.
    public static func run(_ path: String, session: Session, render: @escaping (Output) -> Void,
                           report: @escaping (String) -> Void) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        let source: ScriptSource
        do { source = try .file(path) } catch {
            report("crm: start-up file: \(error)")
            return
        }
        var options = BatchRunner.Options()
        options.keepGoing = true
        _ = BatchRunner(session: session, options: options, render: render, report: report).run([source])
        // `quit` in the start-up file ends only the start-up file.
        session.quitRequested = false
    }
}
