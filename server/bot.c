/*
 * bot.c - the knowledge-base bot (智能客服 / 转人工) in a chat.
 *
 * Per group (groups[].bot) the bot is off, takes every new visitor first
 * (front), or only those who come while nobody can serve them
 * (after-hours: outside the group's hours, or no agent of it online). A
 * chat with the bot is in state CS_BOT: in no queue, owned by nobody. Each
 * visitor message gets the best knowledge-base answer (kb.c) whose score
 * reaches bot.threshold, as a "bot" message stored in the transcript, so
 * the agent who takes over reads the whole conversation. The visitor is
 * handed to the group's queue when they ask for a person (HUMAN, or one of
 * bot.handoff_words in what they say) or after bot.max_misses questions
 * the bot could not answer; while the group is closed the hand-off is
 * "* CLOSED" (leave a message) and the bot stays. Figures for reports:
 * chats.bot_answered, bot_unanswered, handed_off.
 */
#include <string.h>

#include "bot.h"
#include "chat.h"
#include "kb.h"
#include "log.h"
#include "offhours.h"
#include "server.h"
#include "store.h"

int
bot_engages(const struct group *g)
{
	const struct config_group *cg = config_group_find(&srv.cfg, g->name);
	const char *closed;
	time_t opens;

	if (cg == NULL || cg->bot == BOT_OFF)
		return 0;
	closed = offhours_closed(g, &opens);
	if (closed && strcmp(closed, "maint") == 0)
		return 0;
	return cg->bot == BOT_FRONT || closed != NULL || group_online(g) == 0;
}

static void
bot_say(struct chat *ch, const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || !chat_room(ch, len))
		return;
	if (chat_post(ch, "bot", srv.cfg.bot_name, text, len) < 0)
		log_warn("chat %lld: bot message not stored", (long long)ch->id);
}

void
bot_handoff(struct chat *ch)
{
	if (ch->state != CS_BOT)
		return;
	if (offhours_tell_closed(ch->visitor ? ch->visitor->conn : NULL,
	    ch->id, ch->group))
		return;		/* closed: leave a message; the bot stays */
	bot_say(ch, srv.cfg.bot_handoff_reply);
	if (chat_handoff(ch) < 0)
		log_error("chat %lld: hand-off not stored: %s",
		    (long long)ch->id, store_errmsg());
}

static void
count(struct chat *ch, int answered)
{
	if (answered)
		ch->bot_answered++;
	else
		ch->bot_missed++;
	if (store_chat_bot_count(ch->id, answered, !answered) < 0)
		log_warn("chat %lld: bot figures not stored", (long long)ch->id);
}

void
bot_heard(struct chat *ch, const char *text, size_t len)
{
	struct kb_hit hit;
	int n = 0;

	if (ch->state != CS_BOT || len == 0)
		return;
	if (kb_asks_human(srv.cfg.bot_handoff_words, text, len)) {
		bot_handoff(ch);
		return;
	}
	if (kb_search(ch->group->name, text, len, 1, &hit, &n) < 0) {
		log_error("chat %lld: knowledge base: %s", (long long)ch->id,
		    store_errmsg());
		bot_handoff(ch);	/* a person rather than silence */
		return;
	}
	if (n > 0 && hit.score >= srv.cfg.bot_threshold) {
		bot_say(ch, hit.answer);
		count(ch, 1);
		if (store_kb_hit(hit.id) < 0)
			log_warn("kb %lld: hit not counted", (long long)hit.id);
	} else {
		count(ch, 0);
		if (ch->bot_missed >= srv.cfg.bot_max_misses)
			bot_handoff(ch);
		else
			bot_say(ch, srv.cfg.bot_miss_reply);
	}
	kb_hits_free(&hit, n);
}

void
bot_opened(struct chat *ch)
{
	if (ch->question && *ch->question)
		bot_heard(ch, ch->question, strlen(ch->question));
}
