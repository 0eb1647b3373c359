import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The one line a failing command prints before it ends the job.
enum ErrorLine {
    /// Writes `line` to standard error and, when standard error is a pipe (under `mpirun`,
    /// whose launcher forwards every rank's output), waits until the launcher has read it,
    /// at most `timeout` seconds. `MPI_Abort`'s own notice reaches the launcher by another
    /// channel and is otherwise often printed before the line that explains it.
    static func write(_ line: String, timeout: TimeInterval = 2) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
        let deadline = Date().addingTimeInterval(timeout)
        var unread: Int32 = 0
        while ioctl(STDERR_FILENO, UInt(FIONREAD), &unread) == 0, unread > 0, Date() < deadline {
            usleep(5_000)
        }
        usleep(50_000)  // and let the launcher write it out before the abort notice arrives
    }
}
