// libFuzzer target for the manifest mutator's parser and renderers (generator/manifest_mutator.h):
// parsing any input never crashes or explodes (aliases are bounded), a parsed tree written back
// as YAML decodes to exactly the objects the input decodes to (plain stays plain, quoted stays
// quoted, the last of repeated keys wins on both sides), and mutating and rendering the tree,
// steered by the input's own bytes, never crashes the mutator or the decoder.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "generator/manifest_mutator.h"
#include "model/codec.h"

namespace {

void check(bool ok, const char* what, const std::string& text) {
  if (ok) return;
  std::fprintf(stderr, "manifest_mutator_fuzzer: %s\n--- text ---\n%s\n", what, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  npf::ManifestNode tree = npf::parseManifestTree(text);
  if (tree.kind != npf::ManifestNode::Kind::Map) return 0;

  npf::DecodeResult original = npf::decodeManifests(text, "in.yaml");
  std::string yaml = npf::renderYaml(tree);
  npf::DecodeResult again = npf::decodeManifests(yaml, "again.yaml");
  if (original.errors.empty() && original.caseDocuments.empty()) {
    check(again.errors.empty(), "the rendered tree no longer decodes", yaml);
    check(again.cluster == original.cluster, "the rendered tree decodes differently", yaml);
  }

  std::vector<uint64_t> tape;
  for (size_t i = 0; i + 8 <= size && tape.size() < 64; i += 8) {
    uint64_t v = 0;
    for (size_t k = 0; k < 8; ++k) v = (v << 8) | data[i + k];
    tape.push_back(v);
  }
  npf::Random rng = npf::Random::fromTape(std::move(tape));
  npf::mutateManifest(tree, rng, 3);
  (void)npf::decodeManifests(npf::renderYaml(tree), "mutated.yaml");
  (void)npf::decodeManifests(npf::renderJson(tree), "mutated.json");
  return 0;
}
