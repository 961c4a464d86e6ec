// Where the third-party programs netpolfuzz runs (kube-apiserver, kubectl, kube-router,
// Cyclonus) are cached once scripts/build-control-plane.sh has built them from the Go module
// proxy: each under its name and pinned version, e.g. kube-router-v2.1.0.
#pragma once

#include <string>

namespace npf::runner {

// $NETPOLFUZZ_BIN_DIR, else ${XDG_CACHE_HOME:-$HOME/.cache}/netpolfuzz/bin.
std::string defaultToolBinDir();

}  // namespace npf::runner
