import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceCore
import SluiceServer

@main
struct SluiceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice",
        abstract: "A live-video ingest server: SRT in, GOP-buffered streams held within a memory budget.",
        subcommands: [Serve.self, CheckConfig.self],
        defaultSubcommand: Serve.self)
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Runs the server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the ingest server (the default).")

    @Option(help: "The configuration file.")
    var config = "config/sluice.json"

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { LogfmtLogHandler(label: $0, level: level) }
        // Whatever way the server stops, its last lines are written before the process ends.
        defer { LogLineWriter.standardError.drain() }
        let logger = Logger(label: "sluice")
        let settings: Config
        do {
            settings = try Config.load(path: config, environment: ProcessInfo.processInfo.environment)
        } catch {
            logger.critical("invalid configuration", metadata: ["file": "\(config)", "error": "\(error)"])
            throw ExitCode(2)
        }
        SluiceServer.prepareProcess(settings)
        let server = SluiceServer(config: settings, configPath: config, logger: logger)
        let group = ServiceGroup(
            configuration: .init(
                services: server.services().map {
                    .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup)
                },
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
        do {
            try await group.run()
        } catch {
            logger.critical("stopped on error", metadata: ["error": "\(error)"])
            throw ExitCode(1)
        }
    }
}

/// Validates a configuration file with the environment's overrides and prints the effective
/// configuration.
struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file with its SLUICE_* environment overrides.")

    @Argument(help: "The configuration file.")
    var file: String

    func run() throws {
        do {
            let config = try Config.load(path: file, environment: ProcessInfo.processInfo.environment)
            print(config.rendered())
        } catch {
            printError("\(file): \(error)")
            throw ExitCode(1)
        }
    }
}

func printError(_ text: String) {
    var standardError = StandardError()
    print(text, to: &standardError)
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        FileHandle.standardError.write(Data(string.utf8))
    }
}
