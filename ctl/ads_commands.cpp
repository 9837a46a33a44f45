// The ads commands: identities, spark authorize|unbind.
#include <iostream>

#include "ctl/ads_views.hpp"
#include "ctl/command_families.hpp"
#include "ctl/daemon_call.hpp"
#include "ctl/exit_codes.hpp"
#include "ctl/stdin_code.hpp"

namespace ttlink::ctl {
namespace json = boost::json;

namespace {

struct AdsArgs {
  std::string link;
  std::string code;
  std::string item;
};

int authorize_code(const GlobalOptions& options, const AdsArgs& a) {
  std::string code = a.code;
  if (code == "-") {
    auto read = code_from_stdin();
    if (!read) {
      std::cerr << "ttlinkctl: CODE -: no code on stdin (expected the code on one line)\n";
      return kExitUsage;
    }
    code = std::move(*read);
  }
  return call_and_show(options, "spark.authorize", {{"link_id", a.link}, {"auth_code", code}},
                       authorized_view);
}

void add_spark_posts(CLI::App& app, Commands& commands, AdsArgs& a) {
  CLI::App* spark = app.add_subcommand("spark", "creators' posts: authorize by code, unbind");
  spark->require_subcommand(1);
  CLI::App* authorize =
      spark->add_subcommand("authorize", "bind a creator's post authorization code");
  authorize->add_option("--link", a.link, "link id (its advertiser gets the post)")->required();
  authorize->add_option("CODE", a.code, "the post authorization code; - reads it from stdin")
      ->required();
  authorize->footer(
      "Prefer - and paste (or pipe) the code on stdin: a code on the command\n"
      "line shows in ps and in the shell's history.\n"
      "  ttlinkctl spark authorize --link 1 -");
  commands.add(authorize,
               [&options = commands.options(), &a] { return authorize_code(options, a); });
  CLI::App* unbind = spark->add_subcommand("unbind", "unbind a post from the link's advertiser");
  unbind->add_option("--link", a.link, "link id")->required();
  unbind->add_option("ITEM", a.item, "post (item) id")->required();
  commands.add_call(
      unbind, "spark.unbind",
      [&a] {
        return json::object{{"link_id", a.link}, {"item_id", a.item}};
      },
      unbound_view);
}

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
  add_spark_posts(app, commands, a);
}

}  // namespace ttlink::ctl
