// The checked-in corpus/conformance/ is exactly what the enumerator writes, and every file
// loads and validates as a case (the files are what users run and read).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "generator/conformance.h"
#include "model/case_file.h"

namespace npf {
namespace {

namespace fs = std::filesystem;
const fs::path kDir = fs::path(NPF_SOURCE_DIR) / "corpus" / "conformance";

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ConformanceFiles, CheckedInFilesAreExactlyTheEnumeratedSuite) {
  std::set<std::string> onDisk;
  for (const auto& e : fs::recursive_directory_iterator(kDir))
    if (e.is_regular_file() && e.path().extension() == ".yaml")
      onDisk.insert(fs::relative(e.path(), kDir).replace_extension().string());
  std::set<std::string> enumerated;
  for (const Case& c : conformanceSuite()) {
    enumerated.insert(c.meta.name);
    fs::path file = kDir / (c.meta.name + ".yaml");
    ASSERT_TRUE(fs::exists(file))
        << file << " is missing: run netpolfuzz generate --conformance --out corpus/conformance";
    EXPECT_EQ(readFile(file), encodeCase(c)) << file << " is stale: regenerate corpus/conformance";
  }
  EXPECT_EQ(onDisk, enumerated);
}

TEST(ConformanceFiles, EveryFileLoadsAndValidates) {
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(kDir)) {
    if (!e.is_regular_file() || e.path().extension() != ".yaml") continue;
    ++files;
    CaseLoad l = loadCaseFiles({e.path().string()});
    EXPECT_TRUE(l.errors.empty()) << e.path() << ": "
                                  << (l.errors.empty() ? "" : toString(l.errors[0]));
    EXPECT_TRUE(l.kase.meta.present) << e.path();
    EXPECT_FALSE(l.kase.meta.tags.empty()) << e.path();
  }
  EXPECT_GE(files, 230);
}

}  // namespace
}  // namespace npf
