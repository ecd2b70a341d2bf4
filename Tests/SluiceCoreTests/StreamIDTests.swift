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

    @Test func anEmbeddedNULIsRefusedWhereItIs() {
        #expect(throws: StreamIDError.embeddedNUL(at: 8)) {
            try StreamID(parsing: Array("live/nul\u{0}evil".utf8))
        }
        #expect(throws: StreamIDError.embeddedNUL(at: 26)) {
            try StreamID(parsing: "#!::r=live/x,m=publish,u=a\u{0}")
        }
    }

    @Test func invalidUTF8IsRefusedOnTheRawBytes() {
        #expect(throws: StreamIDError.invalidUTF8(at: 5)) {
            try StreamID(parsing: Array("live/".utf8) + [0xC3, 0x28])
        }
        #expect(throws: StreamIDError.invalidUTF8(at: 0)) { try StreamID(parsing: [0xFF]) }
    }

    @Test(arguments: [(UInt32(0x1B), 25), (0x7F, 25), (0x9B, 25), (0x0A, 25)])
    func controlCharactersAreRefusedInEveryField(value: UInt32, offset: Int) {
        let scalar = Character(Unicode.Scalar(value)!)
        #expect(throws: StreamIDError.controlCharacter(value, at: offset)) {
            try StreamID(parsing: "#!::r=live/x,m=publish,u=\(scalar)")
        }
    }

    @Test func bytesThatAreValidParseAsText() throws {
        #expect(try StreamID(parsing: Array("#!::r=live/cam1,m=publish".utf8)).name.value == "live/cam1")
    }
}
