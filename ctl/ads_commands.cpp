// The ads commands: identities, spark authorize|unbind, campaign create, report.
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
  std::string since = "7d";
};

struct CampaignArgs {
  std::string link;
  std::string objective;
  std::string name;
  double daily_budget = 0;
  double total_budget = 0;
  CLI::Option* daily = nullptr;  // given or not: the daemon checks which one
  CLI::Option* total = nullptr;
  std::string start;
  std::string end;
  std::string post;
  std::vector<std::string> locations;
  std::string landing_url;
  std::string cta;
  bool dry_run = false;
};

json::object campaign_params(const CampaignArgs& a) {
  json::object p{{"link_id", a.link},
                 {"objective", a.objective},
                 {"name", a.name},
                 {"post", a.post},
                 {"dry_run", a.dry_run}};
  if (a.daily->count() > 0) p["daily_budget"] = a.daily_budget;
  if (a.total->count() > 0) p["total_budget"] = a.total_budget;
  if (!a.start.empty()) p["start"] = a.start;
  if (!a.end.empty()) p["end"] = a.end;
  if (!a.locations.empty()) {
    json::array locations;
    for (const auto& l : a.locations) locations.emplace_back(l);
    p["locations"] = std::move(locations);
  }
  if (!a.landing_url.empty()) p["landing_url"] = a.landing_url;
  if (!a.cta.empty()) p["cta"] = a.cta;
  return p;
}

void add_campaign(CLI::App& app, Commands& commands) {
  CampaignArgs& a = commands.make_args<CampaignArgs>();
  CLI::App* campaign = app.add_subcommand("campaign", "launch Spark Ads from a link's identity");
  campaign->require_subcommand(1);
  CLI::App* create = campaign->add_subcommand(
      "create", "campaign -> ad group -> Spark Ad with the link's identity and a post, once");
  create->add_option("--link", a.link, "link id")->required();
  create->add_option("--objective", a.objective, "TRAFFIC, REACH or VIDEO_VIEWS")
      ->required()
      ->check(CLI::IsMember({"TRAFFIC", "REACH", "VIDEO_VIEWS"}));
  create->add_option("--name", a.name, "campaign name (unique per advertiser; the key of a rerun)")
      ->required();
  a.daily = create->add_option("--daily-budget", a.daily_budget, "ad group budget per day");
  a.total =
      create->add_option("--total-budget", a.total_budget, "ad group budget in all (with --end)");
  a.daily->excludes(a.total);
  create->add_option("--end", a.end, "last day (2026-12-31, UTC) or time");
  create->add_option("--post", a.post, "the post (item id): the identity's own or bound by code")
      ->required();
  create->add_option("--location", a.locations, "location id (repeatable; default 6252001, US)");
  create->add_option("--landing-url", a.landing_url, "https landing page (TRAFFIC needs one)");
  create->add_option("--cta", a.cta, "call to action (default LEARN_MORE with a landing page)");
  create->add_option("--start", a.start, "start time (default now; UTC or RFC 3339)");
  create->add_flag("--dry-run", a.dry_run, "print the three requests; send and record nothing");
  create->footer(
      "Running the same command again creates nothing new: it finishes a launch\n"
      "that stopped half way, or reports the one that exists.");
  commands.add_call(
      create, "campaign.create", [&a] { return campaign_params(a); }, campaign_view);
}

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
  add_campaign(app, commands);
  CLI::App* report = app.add_subcommand("report", "paid figures of a link's Spark Ads, per day");
  report->add_option("--link", a.link, "link id")->required();
  report->add_option("--since", a.since, "a duration (7d: the last 7 dates) or a date")
      ->capture_default_str();
  commands.add_call(
      report, "report.get",
      [&a] {
        return json::object{{"link_id", a.link}, {"since", a.since}};
      },
      report_view);
}

}  // namespace ttlink::ctl
