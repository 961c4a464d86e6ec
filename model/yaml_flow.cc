#include "model/yaml_flow.h"

#include "model/yaml_scalar.h"

namespace npf::yamlscalar {

bool appendFlow(const YAML::Node& n, std::string& out, size_t maxBytes) {
  if (out.size() > maxBytes) return false;
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      out += '{';
      bool first = true;
      for (const auto& kv : n) {
        if (!first) out += ", ";
        first = false;
        if (!appendFlow(kv.first, out, maxBytes)) return false;
        out += ": ";
        if (!appendFlow(kv.second, out, maxBytes)) return false;
      }
      out += '}';
      return true;
    }
    case YAML::NodeType::Sequence: {
      out += '[';
      for (size_t i = 0; i < n.size(); ++i) {
        if (i) out += ", ";
        if (!appendFlow(n[i], out, maxBytes)) return false;
      }
      out += ']';
      return true;
    }
    case YAML::NodeType::Scalar:
      // Plain non-strings are tokens without spaces, commas or brackets: safe in flow context.
      if (n.Tag() == "?" && classifyPlain(n.Scalar()) != PlainType::String)
        out += n.Scalar();
      else
        out += quoted(n.Scalar());
      return out.size() <= maxBytes;
    default:
      out += "null";
      return true;
  }
}

std::string flowDocument(const YAML::Node& n, size_t maxBytes) {
  std::string text = "--- ";
  if (!appendFlow(n, text, maxBytes)) return "";
  text += '\n';
  return text;
}

}  // namespace npf::yamlscalar
