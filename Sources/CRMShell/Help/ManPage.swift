import Foundation

/// The manual page `man crm` shows, in roff, built from the same text as `help` and
/// `crm --help` (each verb's summary, usage, aliases and details), so the two never drift.
public enum ManPage {
    /// The whole page. `usage` is `crm --help`'s text: its lines before `options:` become
    /// the synopsis, the `  --flag ARG   meaning` lines after it the options.
    public static func render(verbs: [Verb], usage: String, version: String) -> String {
        var out: [String] = []
        out.append(".TH CRM 1 \"\" \"crm \(escape(version))\" \"CRM Shell\"")
        // No hyphenation, left-aligned: commands and options stay whole and copyable.
        out.append(".nh")
        out.append(".ad l")
        out.append(".SH NAME")
        out.append("crm \\- a command-line CRM: customers, contacts, deals, tasks and tickets in SQLite, with Lua plugins")
        let (synopsis, options) = split(usage)
        out.append(".SH SYNOPSIS")
        out.append(".nf")
        out += synopsis.map(escape)
        out.append(".fi")
        out.append(".SH DESCRIPTION")
        out += paragraphs("""
            crm is a shell for a small office's customer records. Without -c, run or -f it shows a prompt \
            with line editing, history and Tab completion; with commands from -c, files or piped standard \
            input it runs them headless, writing errors as FILE:LINE: message and exiting non-zero when \
            one fails. Every command is described under COMMANDS below and, at the prompt, by help COMMAND.

            A line ending in \\ or with an open quote continues on the next line. # starts a comment.
            """)
        out.append(".SH OPTIONS")
        for (flag, meaning) in options {
            out.append(".TP")
            out.append(".B " + escape(flag))
            out.append(escape(meaning))
        }
        out.append(".SH COMMANDS")
        for verb in verbs {
            out.append(".SS " + escape(verb.name))
            out.append(escape(verb.summary))
            out.append(".PP")
            out.append(".RS")
            out.append(".nf")
            out += verb.usage.map { ".B " + escape($0) }
            out.append(".fi")
            out.append(".RE")
            if !verb.aliases.isEmpty {
                out.append(".PP")
                out.append("Also: " + escape(verb.aliases.joined(separator: ", ")))
            }
            out.append(".PP")
            out += paragraphs(verb.details)
        }
        out.append(".SH FILES")
        for (file, meaning) in [
            ("$XDG_DATA_HOME/crm/crm.sqlite", "the database when neither --db nor CRM_DB names one (~/.local/share/crm/crm.sqlite without XDG_DATA_HOME)"),
            ("$XDG_CONFIG_HOME/crm/crmrc", "the start-up file: commands run before the prompt, -c and run, unless -X (~/.config/crm/crmrc)"),
            ("$XDG_STATE_HOME/crm/history", "the prompt's history (~/.local/state/crm/history)"),
            ("$XDG_CONFIG_HOME/crm/plugins", "your own plugins, one folder each (~/.config/crm/plugins)"),
            ("PREFIX/share/crm/plugins", "the bundled plugins of an installed crm (PREFIX/bin/crm)"),
        ] {
            out.append(".TP")
            out.append(".I " + escape(file))
            out.append(escape(meaning))
        }
        out.append(".SH ENVIRONMENT")
        for (name, meaning) in [
            ("CRM_DB", "the database file when --db is not given"),
            ("CRM_USER", "who the audit history names when --user is not given (else the login name)"),
            ("CRM_NOW", "pins the clock (2026-11-22T10:00:00Z), for tests and rehearsing scripts"),
            ("VISUAL, EDITOR", "the editor edit and \\e open (else vi)"),
            ("NO_COLOR", "when set, no colour"),
        ] {
            out.append(".TP")
            out.append(".B " + escape(name))
            out.append(escape(meaning))
        }
        out.append(".SH EXIT STATUS")
        out += paragraphs("0 when everything ran, 1 when a command failed, 2 for a mistake in the command line.")
        out.append(".SH SEE ALSO")
        out += paragraphs("docs/commands.md and docs/plugins.md in the source; sqlite3(1).")
        return out.joined(separator: "\n") + "\n"
    }

    /// The synopsis lines and the (flag, meaning) pairs of `crm --help`'s text.
    static func split(_ usage: String) -> (synopsis: [String], options: [(String, String)]) {
        var synopsis: [String] = []
        var options: [(String, String)] = []
        var inOptions = false
        for raw in usage.components(separatedBy: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            if line == "options:" { inOptions = true; continue }
            if !inOptions {
                synopsis.append(line.hasPrefix("usage: ") ? String(line.dropFirst(7)) : line)
                continue
            }
            // "--db PATH        meaning": the flag, then two or more spaces, then the meaning.
            if let gap = line.range(of: "  ") {
                options.append((String(line[..<gap.lowerBound]), line[gap.upperBound...].trimmingCharacters(in: .whitespaces)))
            } else if let last = options.popLast() {
                options.append((last.0, last.1 + " " + line))
            }
        }
        return (synopsis, options)
    }

    /// Help text as roff: plain lines filled into paragraphs, indented lines (examples)
    /// kept as they are, blank lines between paragraphs.
    static func paragraphs(_ text: String) -> [String] {
        var out: [String] = []
        var literal = false
        for line in text.components(separatedBy: "\n") {
            if line.trimmingCharacters(in: .whitespaces).isEmpty {
                if literal { out += [".fi", ".RE"]; literal = false }
                out.append(".PP")
                continue
            }
            let indented = line.hasPrefix(" ")
            if indented && !literal { out += [".RS", ".nf"]; literal = true }
            if !indented && literal { out += [".fi", ".RE"]; literal = false }
            out.append(escape(indented ? line.trimmingCharacters(in: .whitespaces) : line))
        }
        if literal { out += [".fi", ".RE"] }
        while out.last == ".PP" { out.removeLast() }
        return out
    }

    /// Escapes text for roff: backslashes, hyphens (so commands copy as typed), and a
    /// leading . or ' that would read as a request.
    static func escape(_ text: String) -> String {
        var s = text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
        if s.hasPrefix(".") || s.hasPrefix("'") { s = "\\&" + s }
        return s
    }
}
