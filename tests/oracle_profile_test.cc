#include <gtest/gtest.h>

#include "model/profile.h"

namespace npf {
namespace {

TEST(OracleProfile, DefaultsAreThoseOfSemantics) {
  Profile p;
  EXPECT_TRUE(p.ipblockMatchesPodIps);
  EXPECT_EQ(p.loopback, Profile::Loopback::Undefined);
  EXPECT_EQ(p.egressToOwnNode, Profile::EgressToOwnNode::Policy);
  EXPECT_FALSE(p.hostnetworkSelectable);
}

TEST(OracleProfile, SettingsChangeTheirKnob) {
  Profile p;
  EXPECT_EQ(applyProfileSetting(p, "ipblock-matches-pod-ips=false"), "");
  EXPECT_FALSE(p.ipblockMatchesPodIps);
  EXPECT_EQ(applyProfileSetting(p, "loopback=policy"), "");
  EXPECT_EQ(p.loopback, Profile::Loopback::Policy);
  EXPECT_EQ(applyProfileSetting(p, "loopback=allow"), "");
  EXPECT_EQ(p.loopback, Profile::Loopback::Allow);
  EXPECT_EQ(applyProfileSetting(p, "egress-to-own-node=allow"), "");
  EXPECT_EQ(p.egressToOwnNode, Profile::EgressToOwnNode::Allow);
  EXPECT_EQ(applyProfileSetting(p, "hostnetwork-selectable=true"), "");
  EXPECT_TRUE(p.hostnetworkSelectable);
  EXPECT_EQ(applyProfileSetting(p, "cluster-policy-ties=name"), "");
  EXPECT_EQ(p.clusterPolicyTies, Profile::ClusterPolicyTies::Name);
  auto d = describeProfile(p);
  ASSERT_EQ(d.size(), 5u);
  EXPECT_EQ(d[4], (std::pair<std::string, std::string>{"cluster-policy-ties", "name"}));
  EXPECT_EQ(d[0], (std::pair<std::string, std::string>{"ipblock-matches-pod-ips", "false"}));
  EXPECT_EQ(d[1].second, "allow");
}

TEST(OracleProfile, BadSettingsAreRejectedWithoutChange) {
  Profile p;
  EXPECT_NE(applyProfileSetting(p, "loopback"), "");
  EXPECT_NE(applyProfileSetting(p, "loopback=maybe"), "");
  EXPECT_NE(applyProfileSetting(p, "ipblock-matches-pod-ips=yes"), "");
  EXPECT_NE(applyProfileSetting(p, "no-such-knob=true"), "");
  EXPECT_NE(applyProfileSetting(p, "cluster-policy-ties=priority"), "");
  EXPECT_EQ(p, Profile{});
}

}  // namespace
}  // namespace npf
