#include "model/yaml_documents.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <sstream>

namespace npf::yamldocs {
namespace {

// Remembers where the last document started; every other event is ignored.
struct DocumentStarts : YAML::EventHandler {
  YAML::Mark start;
  bool started = false;
  void OnDocumentStart(const YAML::Mark& m) override { start = m, started = true; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

}  // namespace

std::optional<YAML::Mark> findStuckDocument(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts events;
  std::optional<YAML::Mark> previous;
  while (true) {
    events.started = false;
    if (!parser.HandleNextDocument(events)) return std::nullopt;
    if (!events.started) continue;
    if (previous && previous->pos == events.start.pos) return events.start;
    previous = events.start;
  }
}

size_t documentCount(const std::string& text, size_t limit) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts events;
  size_t count = 0;
  while (count < limit && parser.HandleNextDocument(events)) ++count;
  return count;
}

}  // namespace npf::yamldocs
