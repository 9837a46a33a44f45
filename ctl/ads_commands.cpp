// The ads commands: identities (more as the launch grows).
#include "ctl/ads_views.hpp"
#include "ctl/command_families.hpp"

namespace ttlink::ctl {
namespace json = boost::json;

namespace {

struct AdsArgs {
  std::string link;
};

}  // namespace

void add_ads_commands(CLI::App& app, Commands& commands) {
  AdsArgs& a = commands.make_args<AdsArgs>();
  CLI::App* identities =
      app.add_subcommand("identities", "the advertiser's Ad Identities, the link's account marked");
  identities->add_option("--link", a.link, "link id")->required();
  commands.add_call(
      identities, "identities.list",
      [&a] {
        return json::object{{"link_id", a.link}};
      },
      identities_view);
}

}  // namespace ttlink::ctl
