// The suite under construction: how a conformance case gets its name, meta and tags. Kept in
// one place so that every family's cases carry the same meta (present, generator, the
// hand-assigned tags merged with the computed ones) whatever family adds them.
#include "generator/conformance/suite.h"

#include <set>
#include <string>
#include <utility>

#include "generator/conformance.h"
#include "generator/features.h"

namespace npf::conformance {

void Suite::add(const std::string& name, std::vector<std::string> tags, Cluster c,
                std::vector<Step> steps, std::optional<ProbeSet> probes,
                std::optional<Profile> profile) {
  Case cs;
  cs.cluster = std::move(c);
  cs.meta.name = name;
  cs.meta.present = true;
  cs.meta.generator = kConformanceGenerator;
  cs.meta.steps = std::move(steps);
  cs.meta.probes = std::move(probes);
  cs.meta.profile = profile;
  std::set<std::string> t(tags.begin(), tags.end());
  t.insert("conformance");
  t.insert("family:" + name.substr(0, name.find('/')));
  for (const auto& s : cs.meta.steps) t.insert(std::string("action:") + toString(s.action));
  for (auto& computed : computeTags(cs)) t.insert(computed);
  cs.meta.tags.assign(t.begin(), t.end());
  cases_.push_back(std::move(cs));
}

}  // namespace npf::conformance
