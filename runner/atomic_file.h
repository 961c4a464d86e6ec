// Writing a whole file so that readers see the old content or the new one, never a part.
#pragma once

#include <string>

namespace npf::runner {

// Writes `text` to `path` atomically (a temporary file beside it, then rename), so an
// interrupted run never leaves a truncated file behind. False when it could not.
bool writeFileAtomic(const std::string& path, const std::string& text);

}  // namespace npf::runner
