import Foundation
import PackagePlugin

/// Writes `BuildCommit.swift` (`let buildCommit = "..."`) before every build of the target that uses it,
/// so `biloba --version` names the commit it was built from (`git describe --always --dirty`, or
/// "unknown" outside a git checkout, such as a source tarball; a checkout owned by another user, as a CI
/// runner's, is read all the same). The file is rewritten only when the commit changed, so an unchanged
/// tree does not recompile.
@main
struct BuildCommitPlugin: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let output = context.pluginWorkDirectoryURL.appending(path: "BuildCommit")
    let script = """
      mkdir -p "$2" || exit 1
      commit=$(git -c safe.directory='*' -C "$1" describe --always --dirty --abbrev=12 2>/dev/null | tr -cd '0-9A-Za-z._-')
      line="let buildCommit = \\"${commit:-unknown}\\""
      [ "$(cat "$2/BuildCommit.swift" 2>/dev/null)" = "$line" ] || printf '%s\\n' "$line" > "$2/BuildCommit.swift"
      """
    return [
      .prebuildCommand(
        displayName: "Reading the commit for --version",
        executable: URL(fileURLWithPath: "/bin/sh"),
        arguments: ["-c", script, "sh", context.package.directoryURL.path, output.path],
        outputFilesDirectory: output)
    ]
  }
}
