import CLibFuzzer
import Foundation

/// Hands the process to libFuzzer, which calls `testOneInput` with each input it makes and
/// reads its options (`-max_total_time=60`, a corpus directory, a crash file to replay) from
/// the command line.
///
/// Only a build with `-sanitize=fuzzer -DFUZZING` (`make fuzz`) links libFuzzer; any other
/// build of a fuzz target says so and exits with status 2.
/// - Parameter testOneInput: The target's `LLVMFuzzerTestOneInput`.
public func runLibFuzzer(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    #else
        let name = CommandLine.arguments[0]
        FileHandle.standardError.write(
            Data("\(name) is built without libFuzzer: `make fuzz` builds and runs it\n".utf8))
        exit(2)
    #endif
}
