// The Spark Ads commands: posts, comments, comment reply|hide|unhide, sync.
#include "ctl/command_families.hpp"
#include "ctl/spark_views.hpp"

namespace ttlink::ctl {
namespace json = boost::json;

namespace {

struct SparkArgs {
  std::string id;
  bool expiring = false;
  std::string link;
  std::string since;
  std::string status;
  std::string search;
  int limit = 100;
  std::string text;
};

json::object comments_params(const SparkArgs& a) {
  json::object params{{"limit", a.limit}};
  if (!a.link.empty()) params["link_id"] = a.link;
  if (!a.since.empty()) params["since"] = a.since;
  if (!a.status.empty()) params["status"] = a.status;
  if (!a.search.empty()) params["search"] = a.search;
  return params;
}

void add_comments(CLI::App& app, Commands& commands, SparkArgs& a) {
  CLI::App* comments = app.add_subcommand("comments", "comments on promoted videos, newest first");
  comments->add_option("--link", a.link, "only this link's");
  comments->add_option("--since", a.since, "RFC 3339 time, or a duration ago (2h, 7d)");
  comments->add_option("--status", a.status, "new, replied or hidden")
      ->check(CLI::IsMember({"new", "replied", "hidden"}));
  comments->add_option("--search", a.search, "text or author contains this");
  comments->add_option("--limit", a.limit, "at most this many")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  commands.add_call(
      comments, "comments.list", [&a] { return comments_params(a); }, comments_view);
}

void add_comment_actions(CLI::App& app, Commands& commands, SparkArgs& a) {
  CLI::App* comment = app.add_subcommand("comment", "act on one comment: reply, hide, unhide");
  comment->require_subcommand(1);
  CLI::App* reply = comment->add_subcommand("reply", "reply as the link's identity");
  reply->add_option("ID", a.id, "comment id")->required();
  reply->add_option("TEXT", a.text, "the reply")->required();
  commands.add_call(
      reply, "comment.reply",
      [&a] {
        return json::object{{"id", a.id}, {"text", a.text}};
      },
      comment_action_view);
  for (auto [name, method, summary] :
       {std::tuple{"hide", "comment.hide", "hide a comment"},
        std::tuple{"unhide", "comment.unhide", "make a hidden comment public again"}}) {
    CLI::App* sub = comment->add_subcommand(name, summary);
    sub->add_option("ID", a.id, "comment id")->required();
    commands.add_call(sub, method, id_param(a.id), comment_action_view);
  }
}

}  // namespace

void add_spark_commands(CLI::App& app, Commands& commands) {
  SparkArgs& a = commands.make_args<SparkArgs>();
  CLI::App* posts =
      app.add_subcommand("posts", "Spark Ads posts and when their authorization ends");
  posts->add_flag("--expiring", a.expiring, "only those expiring or expired");
  commands.add_call(
      posts, "posts.list",
      [&a] {
        return json::object{{"expiring", a.expiring}};
      },
      posts_view);
  add_comments(app, commands, a);
  add_comment_actions(app, commands, a);

  CLI::App* sync = app.add_subcommand("sync", "sync a link's Spark Ads posts and comments now");
  sync->add_option("ID", a.id, "link id")->required();
  commands.add_call(sync, "spark.sync", id_param(a.id), sync_view);
}

}  // namespace ttlink::ctl
