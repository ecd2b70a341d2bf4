extension QuorumEvidence {
    /// Asks every voting member at once how it stands, each at every client URL it advertises
    /// until one answers.
    /// - Parameters:
    ///   - members: The cluster's members, as its member list last reported them.
    ///   - client: The etcd client to ask with.
    ///   - timeout: How long each member may take.
    /// - Returns: The round's answers, in the order of the voting members.
    public static func gather(members: [EtcdMember], client: EtcdClient, timeout: Duration) async
        -> QuorumEvidence
    {
        let started = ContinuousClock.now
        let voters = members.filter { !$0.isLearner }
        let voterIDs = Set(voters.map(\.id))
        let answers = await withTaskGroup(of: (Int, Answer).self) { group in
            for (index, member) in voters.enumerated() {
                group.addTask {
                    (index, await answer(of: member, voters: voterIDs, client: client, timeout: timeout))
                }
            }
            var answers = [Answer](repeating: .silent, count: voters.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers
        }
        return QuorumEvidence(started: started, answers: answers)
    }

    private static func answer(
        of member: EtcdMember, voters: Set<UInt64>, client: EtcdClient, timeout: Duration
    ) async -> Answer {
        let endpoints = member.endpoints
        // A member also advertising URLs this client cannot ask may listen there.
        guard !endpoints.isEmpty, endpoints.count == member.clientURLs.count else { return .silent }
        let deadline = ContinuousClock.now + timeout
        for endpoint in endpoints {
            do throws(EtcdError) {
                let status = try await client.status(at: endpoint, timeout: max(.zero, deadline - .now))
                // A URL answered by another member says nothing of this one.
                guard status.memberID == member.id else { return .silent }
                if status.isLeader { return .leader }
                // A leader this round does not ask (a member added since the list was read) may
                // stand: the answer proves nothing.
                return status.leader == 0 || voters.contains(status.leader) ? .follower : .silent
            } catch .refused {
                continue
            } catch {
                return .silent
            }
        }
        return .refused
    }
}
