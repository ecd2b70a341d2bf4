/// When readers join and when the run ends.
struct ReadPlan {
    /// Readers to open.
    let readers: Int
    /// When the first joins.
    let start: ContinuousClock.Instant
    /// The time between two readers joining.
    let joinInterval: Duration
    /// When every reader stops.
    let end: ContinuousClock.Instant

    /// When reader `index` (from zero) joins.
    func joinTime(_ index: Int) -> ContinuousClock.Instant { start + joinInterval * index }
}
