import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program running on a pseudo-terminal, driven like a user at a keyboard: send keys,
/// wait for text to appear, read the screen output with ANSI escapes removed.
///
/// The child is started with posix_spawn in a new session (POSIX_SPAWN_SETSID) and opens
/// the pty's slave side as stdin, stdout and stderr, which makes it its controlling
/// terminal: so Ctrl-C reaches it as SIGINT and `isatty` is true. (fork is not safe in a
/// Swift process, hence posix_spawn.)
public final class PseudoTerminal {
    public enum Key: String {
        case tab = "\t"
        case enter = "\r"
        case ctrlC = "\u{03}"
        case ctrlD = "\u{04}"
        case backspace = "\u{7F}"
        case ctrlU = "\u{15}"
        case escape = "\u{1B}"
    }

    public let pid: pid_t
    private let master: Int32
    /// Everything the program wrote, as it came.
    public private(set) var raw: [UInt8] = []
    /// The output with escape sequences and carriage returns taken out: what `expect` searches.
    public private(set) var cleaned: [UInt8] = []
    /// How far `expect` has consumed `cleaned`.
    public private(set) var cursor = 0
    private var stripper = EscapeStripper()
    private var exitStatus: Int32?

    /// Starts `executable` on a new pty of `columns`×`rows`.
    public init(executable: String, arguments: [String], environment: [String: String],
                workingDirectory: String? = nil, columns: UInt16 = 120, rows: UInt16 = 40) throws {
        let pty = try PTYFunctions.load()
        let m = pty.openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard m >= 0 else { throw CommandRunnerError("posix_openpt: \(String(cString: strerror(errno)))") }
        var name = [CChar](repeating: 0, count: 256)
        guard pty.grantpt(m) == 0, pty.unlockpt(m) == 0, pty.ptsname_r(m, &name, name.count) == 0 else {
            close(m)
            throw CommandRunnerError("grantpt/unlockpt/ptsname: \(String(cString: strerror(errno)))")
        }
        let slavePath = String(cString: name)
        _ = fcntl(m, F_SETFD, FD_CLOEXEC)
        _ = fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK)
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(m, UInt(TIOCSWINSZ), &size)

        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        // In the child, after setsid: opening the slave without O_NOCTTY makes it the
        // controlling terminal of the new session; then it becomes stdout and stderr too.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        if let workingDirectory {
            guard let addchdir = pty.addchdir else {
                throw CommandRunnerError("posix_spawn_file_actions_addchdir_np is missing (glibc < 2.29)")
            }
            _ = addchdir(&actions, workingDirectory)
        }
        // Default dispositions and an empty mask, whatever the test runner set up.
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU, SIGWINCH, SIGCHLD] {
            sigaddset(&defaults, s)
        }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        let flags = Int32(PseudoTerminal.spawnSetSID) | Int32(POSIX_SPAWN_SETSIGDEF) | Int32(POSIX_SPAWN_SETSIGMASK)
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            close(m)
            throw CommandRunnerError("posix_spawn \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
        master = m
    }

    /// POSIX_SPAWN_SETSID (glibc 2.26+, in <spawn.h> under _GNU_SOURCE).
    static let spawnSetSID: Int32 = 0x80

    deinit {
        terminate()
        close(master)
    }

    // MARK: Input

    /// Types text (UTF-8) as if pasted, once the line editor is reading.
    public func send(_ text: String) {
        waitForLineEditor()
        var bytes = Array(text.utf8)
        var offset = 0
        let deadline = Date().addingTimeInterval(10)
        while offset < bytes.count && Date() < deadline {
            let n = bytes.withUnsafeMutableBytes { write(master, $0.baseAddress! + offset, $0.count - offset) }
            if n > 0 { offset += n; continue }
            if n < 0 && errno != EAGAIN && errno != EINTR { return }
            drain(timeoutMilliseconds: 10)
        }
    }

    public func send(_ key: Key) { send(key.rawValue) }

    /// Waits (up to 2 s) until the terminal is out of canonical mode, i.e. libedit is
    /// reading keys. libedit draws its prompt before it switches the mode, so a key sent
    /// the instant the prompt appears could still meet the kernel's line discipline
    /// (where Ctrl-D is not a key). A user cannot type that fast; a test can.
    public func waitForLineEditor() {
        let deadline = Date().addingTimeInterval(2)
        var mode = termios()
        while Date() < deadline, reap() == nil {
            if tcgetattr(master, &mode) != 0 || mode.c_lflag & tcflag_t(ICANON) == 0 { return }
            drain(timeoutMilliseconds: 5)
        }
    }

    /// Types a line and presses Enter.
    public func sendLine(_ text: String) { send(text + "\r") }

    /// Changes the window size (the program gets SIGWINCH).
    public func resize(columns: UInt16, rows: UInt16) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    // MARK: Output

    /// The cleaned output as text.
    public var text: String { String(decoding: cleaned, as: UTF8.self) }
    /// The cleaned output not yet consumed by `expect`.
    public var pending: String { String(decoding: cleaned[cursor...], as: UTF8.self) }

    /// Waits until `needle` appears in the output after the last match, and moves past it.
    /// Returns the cleaned text from the previous position up to the end of the match.
    @discardableResult
    public func expect(_ needle: String, timeout: TimeInterval = 10) throws -> String {
        let target = Array(needle.utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let r = find(target, from: cursor) {
                let seen = String(decoding: cleaned[cursor..<r], as: UTF8.self)
                cursor = r
                return seen
            }
            if let status = exitStatus {
                drain(timeoutMilliseconds: 0)
                if let r = find(target, from: cursor) {
                    let seen = String(decoding: cleaned[cursor..<r], as: UTF8.self)
                    cursor = r
                    return seen
                }
                throw CommandRunnerError("the program exited (status \(status)) before \(needle.debugDescription) appeared; "
                                         + "output since the last match:\n" + pending.debugDescription)
            }
            if Date() >= deadline {
                throw CommandRunnerError("timed out after \(Int(timeout)) s waiting for \(needle.debugDescription); "
                                         + "output since the last match:\n" + pending.debugDescription)
            }
            if !drain(timeoutMilliseconds: 50) {
                _ = reap()
                usleep(10_000)
            }
        }
    }

    /// Reads what is there for a while without expecting anything (for checks that something did not appear).
    public func settle(milliseconds: Int = 300) {
        let deadline = Date().addingTimeInterval(Double(milliseconds) / 1000)
        while Date() < deadline { drain(timeoutMilliseconds: 20) }
    }

    /// Reads whatever output is ready (waiting up to the timeout for some); false once the
    /// terminal is closed (the program and everything it started have gone).
    @discardableResult
    func drain(timeoutMilliseconds: Int32) -> Bool {
        var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        let ready = poll(&p, 1, timeoutMilliseconds)
        if ready <= 0 { return ready == 0 || errno == EINTR }
        var buffer = [UInt8](repeating: 0, count: 4096)
        var open = true
        while true {
            let n = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress!, $0.count) }
            if n > 0 {
                raw += buffer[0..<n]
                stripper.feed(buffer[0..<n], into: &cleaned)
                continue
            }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { break }
            open = false // EIO: no process has the slave open any more
            break
        }
        return open
    }

    private func find(_ target: [UInt8], from start: Int) -> Int? {
        guard !target.isEmpty else { return start }
        guard cleaned.count - start >= target.count else { return nil }
        var i = start
        while i <= cleaned.count - target.count {
            if cleaned[i] == target[0] && cleaned[i..<(i + target.count)].elementsEqual(target) { return i + target.count }
            i += 1
        }
        return nil
    }

    // MARK: The process

    /// Waits for the program to exit (reading its output meanwhile) and returns its exit
    /// status, or 128 + the signal that killed it.
    public func waitForExit(timeout: TimeInterval = 10) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if let s = reap() {
                drain(timeoutMilliseconds: 0)
                return s
            }
            if Date() >= deadline {
                throw CommandRunnerError("the program did not exit within \(Int(timeout)) s; output since the last match:\n"
                                         + pending.debugDescription)
            }
            if !drain(timeoutMilliseconds: 20) { usleep(5_000) }
        }
    }

    /// True while the program runs.
    public var isRunning: Bool { reap() == nil }

    /// The exit status if the program has ended (reaping it), else nil.
    @discardableResult
    private func reap() -> Int32? {
        if let exitStatus { return exitStatus }
        var status: Int32 = 0
        let r = waitpid(pid, &status, WNOHANG)
        guard r == pid else { return nil }
        let signal = status & 0x7F
        exitStatus = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
        return exitStatus
    }

    /// Ends the program if it still runs: SIGHUP and SIGTERM, then SIGKILL after 2 s.
    public func terminate() {
        guard reap() == nil else { return }
        kill(pid, SIGHUP)
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(2)
        while reap() == nil && Date() < deadline { drain(timeoutMilliseconds: 10) }
        if reap() == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
            exitStatus = 128 + SIGKILL
        }
    }
}

/// The pty and spawn functions Swift's Glibc module does not import (they sit behind
/// _XOPEN_SOURCE / _GNU_SOURCE in the C headers), looked up at run time.
struct PTYFunctions {
    typealias OpenPT = @convention(c) (Int32) -> Int32
    typealias OnFD = @convention(c) (Int32) -> Int32
    typealias PTSNameR = @convention(c) (Int32, UnsafeMutablePointer<CChar>?, Int) -> Int32
    typealias AddChdir = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32

    var openpt: OpenPT
    var grantpt: OnFD
    var unlockpt: OnFD
    var ptsname_r: PTSNameR
    var addchdir: AddChdir?

    static func load() throws -> PTYFunctions {
        let handle = dlopen(nil, RTLD_NOW)
        func symbol<T>(_ name: String, _ type: T.Type) -> T? {
            guard let p = dlsym(handle, name) else { return nil }
            return unsafeBitCast(p, to: type)
        }
        guard let openpt = symbol("posix_openpt", OpenPT.self), let grantpt = symbol("grantpt", OnFD.self),
              let unlockpt = symbol("unlockpt", OnFD.self), let ptsname_r = symbol("ptsname_r", PTSNameR.self) else {
            throw CommandRunnerError("the C library has no posix_openpt/grantpt/unlockpt/ptsname_r")
        }
        return PTYFunctions(openpt: openpt, grantpt: grantpt, unlockpt: unlockpt, ptsname_r: ptsname_r,
                            addchdir: symbol("posix_spawn_file_actions_addchdir_np", AddChdir.self))
    }
}

/// Takes terminal control sequences out of a byte stream as it arrives: CSI (`ESC [ … final`),
/// OSC (`ESC ] … BEL`), two- and three-byte escapes, carriage returns, backspaces and bells.
/// What stays only grows, so positions in it stay valid.
struct EscapeStripper {
    enum State { case text, escape, csi, osc, oscEscape, charset }
    var state = State.text

    mutating func feed<C: Collection>(_ bytes: C, into out: inout [UInt8]) where C.Element == UInt8 {
        for b in bytes {
            switch state {
            case .text:
                switch b {
                case 0x1B: state = .escape
                case 0x0D, 0x08, 0x07, 0x00: break
                default: out.append(b)
                }
            case .escape:
                switch b {
                case UInt8(ascii: "["): state = .csi
                case UInt8(ascii: "]"): state = .osc
                case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "#"), UInt8(ascii: "%"): state = .charset
                default: state = .text
                }
            case .csi:
                if (0x40...0x7E).contains(b) { state = .text }
            case .osc:
                if b == 0x07 { state = .text } else if b == 0x1B { state = .oscEscape }
            case .oscEscape:
                state = b == UInt8(ascii: "\\") ? .text : .osc
            case .charset:
                state = .text
            }
        }
    }

    /// Strips a whole string at once.
    static func strip(_ text: String) -> String {
        var s = EscapeStripper()
        var out: [UInt8] = []
        s.feed(Array(text.utf8), into: &out)
        return String(decoding: out, as: UTF8.self)
    }
}
