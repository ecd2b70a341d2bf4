import Testing

@testable import SluiceCore

@Suite struct TokenBucketTests {
    let start = ContinuousClock.now

    @Test func aFullBucketGivesItsBurstThenRefillsAtItsRate() {
        let bucket = TokenBucket(rate: 1000, burst: 5000, now: start)
        do {
            let taken = bucket.take(5000, now: start)
            #expect(taken)
        }
        do {
            let taken = bucket.take(1, now: start)
            #expect(!taken)
        }
        do {
            let taken = bucket.take(600, now: start + .milliseconds(500))
            #expect(!taken)
        }
        do {
            let taken = bucket.take(500, now: start + .milliseconds(500))
            #expect(taken)
        }
        // Refill never exceeds the burst.
        do {
            let taken = bucket.take(5001, now: start + .seconds(100))
            #expect(!taken)
        }
        do {
            let taken = bucket.take(5000, now: start + .seconds(100))
            #expect(taken)
        }
    }

    @Test func aRefusedTakeCostsNothingAndARefundGivesBack() {
        let bucket = TokenBucket(rate: 100, burst: 1000, now: start)
        do {
            let taken = bucket.take(1001, now: start)
            #expect(!taken)
        }
        #expect(bucket.tokens(at: start) == 1000)
        do {
            let taken = bucket.take(800, now: start)
            #expect(taken)
        }
        bucket.refund(300)
        #expect(bucket.tokens(at: start) == 500)
        bucket.refund(10_000)
        #expect(bucket.tokens(at: start) == 1000)
    }

    @Test func aSustainedRateAboveTheLimitIsCutToTheLimit() {
        // 10 seconds of 2000 B/s offered to a 1000 B/s bucket with a 1000-byte burst.
        let bucket = TokenBucket(rate: 1000, burst: 1000, now: start)
        var passed = 0
        for tick in 0..<200 {
            if bucket.take(100, now: start + .milliseconds(tick * 50)) { passed += 100 }
        }
        #expect(passed >= 10_000 && passed <= 11_000, "\(passed)")
    }

    @Test func timeGoingBackwardsAddsNothing() {
        let bucket = TokenBucket(rate: 1000, burst: 1000, now: start + .seconds(1))
        do {
            let taken = bucket.take(1000, now: start + .seconds(1))
            #expect(taken)
        }
        do {
            let taken = bucket.take(1, now: start)
            #expect(!taken)
        }
    }

    @Test func reconfigureKeepsTokensUnderTheNewBurst() {
        let bucket = TokenBucket(rate: 1000, burst: 10_000, now: start)
        bucket.reconfigure(rate: 10, burst: 2000, now: start)
        #expect(bucket.tokens(at: start) == 2000)
        #expect(bucket.rate == 10)
    }
}

@Suite struct TokenBucketConcurrencyTests {
    @Test func threadsTakingAtOnceNeverGetMoreThanTheBurst() async {
        let now = ContinuousClock.now
        let bucket = TokenBucket(rate: 1000, burst: 50_000, now: now)
        // Eight tasks take a byte at a time at the same instant: exactly the burst goes through.
        let taken = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var count = 0
                    for _ in 0..<10_000 where bucket.take(1, now: now) { count += 1 }
                    return count
                }
            }
            return await group.reduce(0, +)
        }
        #expect(taken == 50_000)
    }
}
