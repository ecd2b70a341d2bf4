import Testing

@testable import SluiceIngest

/// Fibers: the mechanism that lets one demux worker run many pull-model demuxers.
@Suite struct FiberTests {
    /// Two fibers on one thread take turns: each resumes exactly where it suspended, with its
    /// own locals intact, and reports having finished only when its body returns.
    @Test func fibersResumeWhereTheySuspended() throws {
        var log: [String] = []
        let first = try #require(
            Fiber { fiber in
                for step in 0..<3 {
                    log.append("a\(step)")
                    fiber.suspend()
                }
            })
        let second = try #require(
            Fiber { fiber in
                var total = 0
                for step in 1...2 {
                    total += step
                    log.append("b\(total)")
                    fiber.suspend()
                }
            })
        var finished = (first: false, second: false)
        var turns = 0
        while !(finished.first && finished.second) {
            if !finished.first { finished.first = first.resume() }
            if !finished.second { finished.second = second.resume() }
            turns += 1
        }
        #expect(log == ["a0", "b1", "a1", "b3", "a2"])
        #expect(turns == 4, "three suspensions and a return for the longer one")
    }
}
