import CRMCore

/// Turns any error a command can raise into the one line a user reads, and a position
/// in the command line when there is one. The REPL and batch runs both use it.
public enum ErrorPresenter {
    /// Control characters from the data an error quotes (a CSV cell, a typed value) are
    /// written out, so a message cannot drive the terminal; newlines and tabs stay.
    public static func describe(_ error: Error) -> (message: String, position: Int?) {
        let (message, position) = plain(error)
        return (CellText.terminalSafe(message, keepingLines: true), position)
    }

    static func plain(_ error: Error) -> (message: String, position: Int?) {
        switch error {
        case let e as Located:
            let inner = describe(e.error)
            return (inner.message, inner.position ?? e.position)
        case let e as SyntaxError:
            return (e.message, e.position)
        case let e as QueryError:
            return (e.message, e.position)
        case let e as StoreError:
            return (e.description, nil)
        case let e as CSVError:
            return (e.line > 0 ? "line \(e.line): \(e.message)" : e.message, nil)
        case let e as CustomStringConvertible:
            return (e.description, nil)
        default:
            return ("\(error)", nil)
        }
    }
}
