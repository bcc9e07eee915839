using TransferNotebooks.Kernel.Languages;

namespace TransferNotebooks.Kernel.Tests.Languages;

public class ProjectAssetsTests
{
    [Fact]
    public void Runtime_assemblies_come_from_package_folders_skipping_placeholders_and_projects()
    {
        var root = Path.Combine(Path.GetTempPath(), "tn-assets-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(root, "newtonsoft.json", "13.0.3", "lib", "net6.0"));
        File.WriteAllText(Path.Combine(root, "newtonsoft.json", "13.0.3", "lib", "net6.0", "Newtonsoft.Json.dll"), "");
        var json = $$"""
            {
              "version": 3,
              "targets": {
                "net10.0": {
                  "Newtonsoft.Json/13.0.3": { "type": "package", "runtime": { "lib/net6.0/Newtonsoft.Json.dll": {} } },
                  "Empty/1.0.0": { "type": "package", "runtime": { "lib/net10.0/_._": {} } },
                  "Other/1.0.0": { "type": "project", "runtime": { "bin/Other.dll": {} } }
                }
              },
              "libraries": { "Newtonsoft.Json/13.0.3": { "path": "newtonsoft.json/13.0.3" }, "Empty/1.0.0": { "path": "empty/1.0.0" } },
              "packageFolders": { "{{root.Replace("\\", "\\\\")}}/": {} }
            }
            """;
        try
        {
            var assemblies = ProjectAssets.RuntimeAssemblies(json);
            Assert.Equal([Path.Combine(root, "newtonsoft.json", "13.0.3", "lib", "net6.0", "Newtonsoft.Json.dll")], assemblies);
        }
        finally { Directory.Delete(root, true); }
    }
    [Fact]
    public void Native_libraries_are_those_of_this_runtime_identifier_that_exist()
    {
        var root = Path.Combine(Path.GetTempPath(), "tn-assets-" + Guid.NewGuid().ToString("N"));
        var native = Path.Combine(root, "skia", "2.88.9", "runtimes", "linux-x64", "native");
        Directory.CreateDirectory(native);
        File.WriteAllText(Path.Combine(native, "libSkiaSharp.so"), "");
        var json = $$"""
            {
              "version": 3,
              "targets": {
                "net10.0": {
                  "Skia/2.88.9": { "type": "package", "runtimeTargets": {
                    "runtimes/linux-x64/native/libSkiaSharp.so": { "assetType": "native", "rid": "linux-x64" },
                    "runtimes/linux-arm64/native/libSkiaSharp.so": { "assetType": "native", "rid": "linux-arm64" },
                    "runtimes/linux-x64/lib/net6.0/Skia.dll": { "assetType": "runtime", "rid": "linux-x64" } } }
                }
              },
              "libraries": { "Skia/2.88.9": { "path": "skia/2.88.9" } },
              "packageFolders": { "{{root.Replace("\\", "\\\\")}}/": {} }
            }
            """;
        try
        {
            Assert.Equal([Path.Combine(native, "libSkiaSharp.so")], ProjectAssets.NativeLibraries(json, "linux-x64"));
            Assert.Empty(ProjectAssets.NativeLibraries(json, "linux-arm64"));
        }
        finally { Directory.Delete(root, true); }
    }
}
