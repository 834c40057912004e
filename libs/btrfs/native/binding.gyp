# Build of the snapfleet btrfs ioctl addon (Linux only: it needs <linux/btrfs.h>).
# Run `npm run build:native` from the repo root. node-addon-api is header-only; C++
# exceptions stay off (errors travel as values, see src/os_error.h), hence the noexcept
# target.
{
  "targets": [
    {
      "target_name": "snapfleet_btrfs",
      "sources": [
        "src/addon.cc",
        "src/args.cc",
        "src/errno_names.cc",
        "src/js_convert.cc",
        "src/paths.cc",
        "src/btrfs_fd.cc",
        "src/subvolume.cc",
        "src/filesystem.cc",
        "src/usage.cc"
      ],
      "dependencies": [
        "<!(node -p \"require('node-addon-api').targets\"):node_addon_api"
      ],
      "defines": ["NAPI_VERSION=8"],
      "cflags_cc": ["-std=gnu++17", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
