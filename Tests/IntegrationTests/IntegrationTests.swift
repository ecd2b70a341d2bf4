import Testing

/// Integration tests run the real server against real ffmpeg publishers on loopback. They run
/// one at a time: each pushes live (`-re`) streams, and timing on two cores matters.
@Suite(.serialized) enum Integration {}
