import Testing

@testable import SluiceCore

@Suite struct StreamIDTests {
    @Test func plainNameIsAPublish() throws {
        let id = try StreamID(parsing: "live/cam1")
        #expect(id.name.value == "live/cam1")
        #expect(id.mode == .publish)
        #expect(id.user == nil)
    }

    @Test func accessControlFormWithUserAndMode() throws {
        let id = try StreamID(parsing: "#!::r=live/studio_a.main,m=publish,u=alice,user_tag=x")
        #expect(id.name.value == "live/studio_a.main")
        #expect(id.mode == .publish)
        #expect(id.user == "alice")
        #expect(id.type == "stream")
    }

    @Test func missingModeMeansRequest() throws {
        #expect(try StreamID(parsing: "#!::r=live/x").mode == .request)
        #expect(try StreamID(parsing: "#!::m=bidirectional,r=x").mode == .bidirectional)
    }

    @Test(arguments: [
        "#!::m=publish",  // no resource
        "#!::r=a,m=shout",  // unknown mode
        "#!::r=a,novalue",  // not key=value
        "#!::r=a,r=b",  // repeated key
        "#!::=x,r=a",  // empty key
        "#!:{r=a}",  // nested form
    ])
    func malformedAccessControlForms(raw: String) {
        #expect {
            try StreamID(parsing: raw)
        } throws: { error in
            guard case StreamIDError.malformed = error else { return false }
            return true
        }
    }

    @Test(arguments: [
        "", "/live", "live/", "live//x", "live/../x", "..", "a..b", "live/./x", "has space",
        "live/ü", "semi;colon", String(repeating: "a", count: 256),
    ])
    func invalidNames(name: String) {
        #expect(throws: StreamIDError.self) { try StreamName(name) }
    }

    @Test func longestNameIsAccepted() throws {
        let name = String(repeating: "a", count: 255)
        #expect(try StreamName(name).value == name)
    }

    @Test func oversizedStreamIDIsRefused() {
        #expect(throws: StreamIDError.tooLong(513)) {
            try StreamID(parsing: String(repeating: "a", count: 513))
        }
        #expect(throws: StreamIDError.empty) { try StreamID(parsing: "") }
    }
}
