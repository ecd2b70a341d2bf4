import SluiceCore

/// Works out the global limit from `memory.*` and what the machine has, at start and on every
/// reload: the container limit and physical memory are read once, at start.
struct BudgetResolver: Sendable {
    let containerLimit: (bytes: Int, source: String)?
    let physicalMemory: Int

    func resolve(_ memory: MemoryConfig) -> MemoryBudget {
        MemoryBudget.resolve(
            memory.globalLimit, fraction: memory.autoFraction, containerLimit: containerLimit,
            physicalMemory: physicalMemory)
    }
}
