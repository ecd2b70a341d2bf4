extension RandomAccessCollection {
    /// The index of the first element that satisfies `belongsInSecondPartition`, or `endIndex`,
    /// found by binary search: the collection must already be partitioned, every element that
    /// fails the predicate before every element that satisfies it.
    func partitioningIndex(where belongsInSecondPartition: (Element) -> Bool) -> Index {
        var low = startIndex
        var count = self.count
        while count > 0 {
            let half = count / 2
            let middle = index(low, offsetBy: half)
            if belongsInSecondPartition(self[middle]) {
                count = half
            } else {
                low = index(after: middle)
                count -= half + 1
            }
        }
        return low
    }
}
