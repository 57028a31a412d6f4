package intent

import (
	"regexp"
	"strings"
)

// A rule is a weighted pattern for one label. The score of a label is the
// sum of the weights of its rules that match (each rule counts once), plus
// the features in score; the phrase a rule matched is its evidence.
//
// The pattern only runs on text that holds one of the literals every
// match of it contains (matcher): that keeps classifying ten thousand
// emails well under a second.
type rule struct {
	label  Label
	weight float64
	m      *matcher
	// cased rules read the text as written ("talk to Priya"); the others
	// read it lower-cased.
	cased bool
	// negatable rules do not count when a negation ("not", "n't",
	// "no longer", "never") comes just before the match.
	negatable bool
}

// r builds a rule. In pattern, ' also matches the typographic apostrophe
// and the match is case-insensitive.
func r(l Label, w float64, p string) rule {
	return rule{label: l, weight: w, m: pattern(p)}
}

// cased is r for a pattern whose capitals must be capitals.
func cased(l Label, w float64, p string) rule {
	return rule{label: l, weight: w, m: pattern(p), cased: true}
}

// neg is r for a negatable rule.
func neg(l Label, w float64, pattern string) rule {
	x := r(l, w, pattern)
	x.negatable = true
	return x
}

const days = `(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?s?`

// bodyRules run over the reply (quoted history and signature removed).
var bodyRules = []rule{
	// meeting_request: asks for time together.
	r(MeetingRequest, 3,
		`\b(hop on|jump on|get on|set up|setup|schedule|book|arrange|organi[sz]e|grab|have|do|get|find|plan)\s+(a |an |some |the |another |our |time for a |)(quick |short |brief |call or |live |technical |follow-up |\d+[- ]?min(ute)?s? |half hour |)(call|meeting|chat|time|demo|session|zoom|slot|sync|walk-?through|deep dive|conversation|teams call|meet)\b`),
	r(MeetingRequest, 3,
		`\b(calendar invite|meeting invite|send (me |us |over )?(an |a )?(calendar |meeting )?invite|calendly|calendar link|booking link|(a few|some|two|three|couple of|few) (time )?(slots|times|options)|time ?slots?|your availability|when (are|would) you (be )?(free|available)|what does your (calendar|schedule|week) look like|on (the|your|my|our) calendars?)\b`),
	r(MeetingRequest, 3,
		`\b(walk|take) (us|me|the team|my team)( \w+)? through\b|\bshow (us|me) (a demo|how|around|the product)\b`),
	r(MeetingRequest, 3,
		`\blet'?s (talk|chat|meet|connect|hop|jump|find a time|set|get (it|something|this|a call|the [a-z ]{1,30}) (scheduled|booked|on the calendar)|schedule|book|do (a|the) call)`),
	r(MeetingRequest, 2.5,
		`\b(love|like|want|happy|glad|keen|great|open) to (chat|talk|meet|connect|hop on|jump on|get on|discuss|catch up|sit down|see a demo)\b`),
	r(MeetingRequest, 2.5,
		`\b(schedule|arrange|organi[sz]e) (a |the )?(meeting|call|demo|time|session)|\bmeeting to discuss\b|\b(propose|suggest|send) (me |us |)([a-z]+ ){0,3}(dates|times|slots|days|options)\b`),
	r(MeetingRequest, 2, `\b((is|are) (open|free|good|fine|best) (on my side|on my end|for me|for us)|works (best |well |)for (me|us)|suits (me|us)|(how|what) about)\b`),
	r(MeetingRequest, 2,
		`\b(does|would|will|could|can|is) ([a-z0-9:]+ ){0,4}(work|suit)( for you| for your team| on your end| on your side)?\s*\?`),
	r(MeetingRequest, 2,
		`\b(i'?m|i am|we'?re|we are|am|are you|is your team) (available|free|around|open)\b|\b(available|free) (for|to) (a |an |)(call|chat|meet|talk|in-person)`),
	r(MeetingRequest, 3,
		`\b(can|could|shall) we (sync|meet|talk|chat|connect|speak|hop on|jump on|do a call|get together)\b|\bwhen can (you|we) (do it|meet|talk|chat|connect|speak|show)\b`),
	neg(MeetingRequest, 3,
		`\b(interested in|request|like|want|need|get) (a |an )(live |quick |short |)(demo|demonstration|call|meeting|walkthrough|intro call)\b`),
	r(MeetingRequest, 2, `\bmeet (you|your|with)\b|\bin-person\b`),
	r(MeetingRequest, 2,
		`\b\d{2} ?(min|mins|minutes)\b|\bhalf an hour\b`),
	r(MeetingRequest, 1.5,
		`\b(demo|call|meeting|zoom|google meet|teams|chat live|video call|phone call)\b`),

	// pricing_question: asks what it costs.
	r(PricingQuestion, 3, `\bhow much\b`),
	r(PricingQuestion, 2.5,
		`\b(send|get|share|need|want|have|provide)( me| us| over)? (a |the |an updated |a formal |)(quote|quotation|price list|price sheet)\b|\bquote for\b`),
	r(PricingQuestion, 2, `\bpric(e|es|ing)\b`),
	r(PricingQuestion, 2, `\bcosts?\b`),
	r(PricingQuestion, 2, `\bdiscounts?\b`),
	r(PricingQuestion, 1.5, `\b(billing|billed|invoiced?)\b`),
	r(PricingQuestion, 1.5, `\b(fees?|charges?|charged|overages?|licen[cs]e (fee|cost)s?)\b`),
	r(PricingQuestion, 1.5, `\bper (seat|user|month|year|developer|engineer|license|licence|workspace|gb|request|node)\b`),
	r(PricingQuestion, 1.5, `\bbudget(ed|ing)?\b`),
	r(PricingQuestion, 2, `\brates?\b`),
	r(PricingQuestion, 2.5, `\b(do|would|will|should) (we|i) (pay|be charged|be billed|get charged)\b|\bpay(ing)? (the difference|more|extra|less)\b`),
	r(PricingQuestion, 2,
		`\b(cheapest|commercials|commercial (details|terms|offer|proposal)|prorat(ed|ion|e)|vat|gst|taxe?s?|make (us|me) an offer|send (us |me |)an offer|best price)\b`),
	r(PricingQuestion, 1, `\b(plans?|tiers?|enterprise|pro plan|team plan|edition)\b`),
	r(PricingQuestion, 1, `\b(annual(ly)?|monthly)\b`),

	// interested: wants more, or wants to go ahead.
	neg(Interested, 2.5,
		`\b(very |really |super |quite |definitely |)(interested|interesting|intrigued|keen|excited)\b`),
	r(Interested, 3,
		`\b(next steps?|move forward|moving forward|go ahead|keep (this |things |)moving|count (us|me) in|sign (us|me) up|let'?s do (it|this)|let'?s go|we'?re in\b|on board)`),
	r(Interested, 3,
		`\b(send (me |us |over |)the (contract|order form|paperwork|agreement|msa|dpa|final agreement)|(ready|want|plan|happy|going) to (sign|buy|purchase|start|proceed)|sign (this|it|the contract|by|before|this month|today)|will sign)`),
	r(Interested, 3,
		`\b(exactly what we (need|want|were looking for)|timing is (actually |)perfect|perfect timing|just what we need|been looking for (something|a solution|this))`),
	r(Interested, 2,
		`\b(sounds|looks|seems) (great|good|promising|interesting|useful|amazing|awesome|very good|really good|really useful|perfect)\b|\bthat'?s great\b|\blooks good\b`),
	r(Interested, 2,
		`\b(learn|know|hear|see|read) more\b|\bmore (info|information|details)\b|\btell me more\b`),
	r(Interested, 2,
		`\b(send|share)( me| us| over)? (the |some |a |more |your |)(info|information|details|docs|documentation|deck|case stud(y|ies)|one-pager|whitepaper|materials?|onboarding docs)\b`),
	r(Interested, 1.5,
		`\b(free trial|start (the|a) trial|trial|pilot|try it|try it out|test it|give it a (try|shot|go)|proof of concept|poc|beta)\b`),
	r(Interested, 3,
		`\b(give it a try|we'?re sold|i'?m sold|get the paperwork|paperwork going|(like|want|ready|keen|happy|glad) to (proceed|try|test|join|start|move ahead)|order form|get started|getting started|join the (beta|pilot|program|waitlist)|sign ?-?up link|create a (trial |test |)account|we want (it|this)|what'?s next|what next|how do (i|we) (get access|start|sign up|get started))\b`),
	r(Interested, 2.5,
		`\b((actually |exactly |)looking for (something|a tool|a solution) like (this|yours)|(strong|great|good|perfect) fit|keep (me|us) (in the loop|posted|updated|informed)|on our roadmap|(team |they |we |i )(really |)liked|(very much|really|definitely) want to|want to (try|test|see if|pilot|evaluate))\b`),
	r(Interested, 2,
		`\b((very |really |)(nice|cool|great|amazing|awesome|neat) (product|tool|stuff|work|approach)|really cool|(sehr |très |molto |muy |)interessant[e]?|interesante)\b|^yes\b`),
	r(Interested, 2,
		`\b(so far so good|easy to set ?up|(i'?ll|i will|we'?ll|we will|going to) share (it |this |)with (the rest of |)(the|my|our) team|exactly the kind of|keep the conversation going|let'?s keep (talking|going|in touch))\b`),
	r(Interested, 4, `\b(pric(e|es|ing)|quote|numbers|proposal|terms) (works|work|is fine|are fine|is ok|looks? (good|fine|ok|reasonable)|makes sense|is within (our |the |)budget)( for us|)\b`),
	r(Interested, 3, `\b(on (the|our) shortlist|shortlisted|green light|make it official|positive about|approval process|sandbox access|terms of cooperation)\b`),
	r(Interested, 2,
		`\b(love (it|this|what)|(very |really |)impressed|impressive|great news|results are (very |really |)(good|great)|works great|really like)\b`),

	// objection: pushes back on the product, the price or the terms.
	r(Objection, 3, `\b(not comfortable|uncomfortable|push back|pushback|(seems|is|looks) (heavy|overkill|too complex)|does the job|not acceptable|must-have|must have|most expensive|hard to defend)\b`),
	r(Objection, 3.5, `\btoo (much (effort|work|money|overhead|hassle)|expensive|pricey|costly|high|complex|complicated|small|big|risky|early-stage|young|long|rigid|strict|slow|limited)\b`),
	r(Objection, 3, `\b(don'?t|do not|didn'?t|did not) see (how|why|what|anything)|(nothing|anything) we (can'?t|couldn'?t|cannot) (do|get|build)|rules? (you|it|this|pebblecache) out|lock (ourselves|us) in|meh\b`),
	r(Objection, 3,
		`\b(not sure (we|this|it|that)|not convinced|skeptical|sceptical|hesitant|concerns?|concerned|worried|worry|doubts?)\b`),
	r(Objection, 3,
		`\b(don'?t|do not|doesn'?t|does not|can'?t|cannot|not) (see|need|think|justify|fit|benefit|really need)\b`),
	r(Objection, 3, `\b(not a (good |great |)fit|no fit|poor fit)\b`),
	r(Objection, 2.5,
		`\b(already (use|have|using|cache|built|pay)|works (fine|well) for us|good enough|happy with (our|what|the current)|built (it |)in-house)\b`),
	r(Objection, 2.5, `\b(can'?t|cannot|could not|couldn'?t) (afford|justify)\b`),
	r(Objection, 2.5,
		`\b(not mature|immature|lacks?|missing|(you |it |)(don'?t|do not|doesn'?t|does not) (have|support|offer)|no (data residency|sso|on-?prem|support for)|without (those|that|this|it))\b`),
	r(Objection, 2.5,
		`\b(can'?t|cannot|won'?t|will not) (sign|accept|approve|agree)|(doesn'?t|does not|don'?t|do not) accept|\bis a problem\b|\bdeal ?breaker\b`),
	r(Objection, 2, `\b(competitors?|cheaper|half the price|quoted us|for less)\b`),
	r(Objection, 2,
		`\b(higher than|more than) (we |i |)(expected|budgeted|hoped|planned)|over (our |the |)budget\b`),
	r(Objection, 1.5,
		`\b(migration effort|lot of work|rewrite|complicated|too much effort|hand-holding|uncertain gain|risks?)\b`),
	r(Objection, 3,
		`\b(not for us|(doesn'?t|does not|won'?t|will not|wouldn'?t) work for us|(doesn'?t|does not) make sense|blocker|deal-?breaker|no-go|show-?stopper|hard sell|overkill|not worth the (hassle|effort|trouble|switch))\b`),
	r(Objection, 2.5,
		`\b(not (seeing|see) the (benefit|value|point)|not keen|i'?m afraid|reservations|underwhelming|marginal|hard to justify|no need\b|prefer (open source|to build|our own|to keep)|duplicates|won'?t approve|will not approve|unless you|it failed|policy requires|only (covers|supports|works))\b`),
	r(Objection, 3,
		`\b((much |way |far |a lot |)more expensive|pricier|(way|far|well|much) above|above (our|what we))\b`),
	r(Objection, 2.5, `\b((vendor |)lock-?in|(small|young|early-stage|new) (startup|company|vendor)|go(es|ing)? out of business|long-term viability|viability)\b`),
	r(Objection, 1.5, `\b(unfortunately|sorry)\b`),

	// not_now: interested maybe, but later.
	r(NotNow, 3,
		`\b(not (the right|a good|the best|great) time|bad timing|timing (isn'?t|is not|is) (great|right|good|bad|off)|not a priority|not (right |)now\b|not at the moment|not at this time|for (now|the moment|the time being))`),
	r(NotNow, 3,
		`\b(circle back|check back|come back|reconnect|revisit|touch base|follow up|get back to you|check in( with (me|us)|)|hit (me|us) up|try (me|us) again|ping (me|us)|reach (back |)out( to (me|us))?( again)?|(contact|write|email) (me|us)( again)?)\b.{0,40}\b(in|after|next|around|early|mid|late|once|when|later|january|february|march|april|may|june|july|august|september|october|november|december|q[1-4]|spring|summer|autumn|fall|winter)\b`),
	r(NotNow, 2.5,
		`\b(next (quarter|year|month|fiscal year|budget cycle)|later (this|next|in the) year|after (the holidays|new year|the new year)|in (a few|a couple of|two|three|four|six|\d+) (weeks|months)|maybe later|(look at|revisit|come back to) (this|it) later)\b`),
	r(NotNow, 2.5,
		`\b(on hold|paused?|pausing|freeze|froze|frozen|postpone[ds]?|delay(ed)?|defer(red)?|parked|push(ed)? (this|it) (back|out))\b`),
	r(NotNow, 2.5,
		`\b(busy|heads down|in the middle of (a|an|our|the) (migration|launch|reorg|re-org|project|rollout|release|audit|merger|move|transition|fundraise|hiring)|swamped|hectic|focused on|focusing on|bandwidth)\b`),
	r(NotNow, 2.5,
		`\b(budget (for this year |)(is |was |has been |)(already |)(spent|allocated|used|frozen|closed|exhausted)|no budget (this|until|for now|right now))\b`),
	r(NotNow, 2.5, `\btoo early\b|\bstill (early|building)\b`),
	r(NotNow, 3, `\b(too much (going on|on (our|my) plate)|pick (this|it) (back |)up (in|after|next|again|later|then)|(have|need) to wait (for|until)|write (me |us |)again (then|in|after|later))\b`),
	r(NotNow, 2, `\bnot (this|until next) (quarter|year|month)\b`),
	r(NotNow, 4,
		`\blet'?s (talk|chat|speak|reconnect|revisit|connect) (again )?(in|after|next|when|then|once|later|early|around)\b`),
	r(NotNow, 3,
		`\b(pushed (back |out |)to|(just |recently |)(signed|committed to|locked into) (a |an |)([a-z-]+ ){0,2}(deal|contract|agreement) with|other priorities|deprioriti[sz]ed|not (currently |)looking)\b`),
	r(NotNow, 2,
		`\b(until|till|after|in|around|by) (early |mid-?|late |the end of |end of |)(january|february|march|april|may|june|july|august|september|october|november|december|q[1-4]|spring|summer|autumn|fall|the summer|the spring|the fall)\b`),
	r(NotNow, 2, `\b(locked in(to)?|tied (in|up)|under contract)\b`),
	r(NotNow, 1.5, `\b(maybe|perhaps|probably) (next|in|after|later|early)\b`),

	// unsubscribe: wants no more email.
	r(Unsubscribe, 5, `\bunsubscrib(e|ed|ing)\b`),
	r(Unsubscribe, 5, `\b(remove|delete|drop|erase) (me|my (e-?mail|address|name|contact|details|data)|us|this (e-?mail|address))\b`),
	r(Unsubscribe, 5, `\b(take|get|put) (me|us|my (e-?mail|address|name)) off\b`),
	r(Unsubscribe, 5,
		`\b(stop|stopped|quit|cease) (e-?mailing|emailing|sending|contacting|messaging|spamming|writing|bothering|reaching out|all (emails|communication))\b`),
	r(Unsubscribe, 5,
		`\b(do not|don'?t|dont|never) (e-?mail|contact|write( to)?|send|message|reach out to|follow up with) (me|us|this address)( again| anymore| any more|)\b|\b(do not|don'?t) follow up( again| anymore|)\b|\b(cancel|end) my (e-?mail|newsletter|mailing) subscription\b`),
	r(Unsubscribe, 3, `\bstop\W*$|\bno interest\b|\bi don'?t know you\b`),
	r(Unsubscribe, 5, `\bopt(-| |)(me |us |)out\b`),
	r(Unsubscribe, 4,
		`\b(no (more|further) (e-?mails|messages|contact|outreach)|(not|don'?t) (want|wish) to (receive|get|hear)( any)?( more| further)?)\b`),
	r(Unsubscribe, 4, `\bleave (me|us) alone\b`),
	r(Unsubscribe, 3, `\b(mailing list|your list|(all |)your (lists|database)|distribution list|(future |all |)mailings)\b`),
	r(Unsubscribe, 5, `\bremove [a-z0-9._%+-]+@[a-z0-9.-]+ from\b`),
	r(Unsubscribe, 3,
		`\b(spam(ming)?|who gave you my|never signed up|didn'?t sign up|gdpr|erasure|right to be forgotten)\b`),
	r(Unsubscribe, 2, `\bnot interested\b`),
	r(Unsubscribe, 5, `^\W*(remove|stop|unsub|opt out|remove me|stop it)\W*$`),

	// out_of_office: an auto-reply.
	r(OutOfOffice, 4, `\bout of (the |my |)office\b`),
	r(OutOfOffice, 4, `\booo\b`),
	r(OutOfOffice, 4,
		`\b(on|currently on|be on|am on|i'?m on) (vacation|holiday|holidays|leave|parental leave|maternity leave|paternity leave|sick leave|annual leave|pto|a break|sabbatical)\b`),
	r(OutOfOffice, 4, `\b(limited|no|intermittent|restricted|little) access to (e-?mail|my e-?mail|my inbox|the internet)\b`),
	r(OutOfOffice, 4, `\b(automated (response|reply|message)|automatic (reply|response)|sent automatically|auto-?reply|auto-?response)\b`),
	r(OutOfOffice, 3,
		`\b(away|travel(l)?ing|out|off)( from my desk| from the office| of the country| on business|) (until|till|through|thru|and will)\b`),
	r(OutOfOffice, 3,
		`\b(not|won'?t|will not) (be |)(reading|checking|monitoring|responding to|able to (respond|reply|read)) (my |)(e-?mails?|messages|inbox)\b`),
	r(OutOfOffice, 3, `\b(will not|won'?t|is not|are not|not) be(ing)? forwarded\b`),
	r(OutOfOffice, 3, `\b(upon|on) my return\b|\bwhen i (return|get back|am back|'m back)\b|\b(return|be back|back in the office|back in office|back at my desk)\b.{0,20}\b(on|in|after)\b`),
	r(OutOfOffice, 2.5, `\b(for urgent|if (it'?s|it is|this is|your matter is) urgent|urgent (matters|requests|issues|enquiries|inquiries))\b`),
	r(OutOfOffice, 3, `\b(in the meantime|in my absence|during my absence|while i'?m (away|out)|while i am (away|out))\b`),
	r(OutOfOffice, 4,
		`(nicht im büro|wieder im büro|im urlaub|abwesend|abwesenheit|je suis absent|je serai absent|en congé|en vacances|wieder erreichbar|nicht weitergeleitet)`),
	r(OutOfOffice, 3,
		`\b(not (being |)monitored|holiday break|(office|we) (is |are |)closed (for|until|over)|closed for the holidays)\b`),
	r(OutOfOffice, 2, `\bat (a |the |)(conference|offsite|off-site|trade show)\b`),

	// churn_risk: a customer thinking of leaving.
	r(ChurnRisk, 5,
		`\b(thinking|considering|planning|going|looking|deciding|decided|want|wants|need|plan|intend|intending|preparing)( of| about| to| on| into|) (cancel|cancell?ing|terminat(e|ing)|leav(e|ing)|switch(ing)?|churn(ing)?|drop(ping)? (it|pebblecache|the service|you)|stop(ping)? using|discontinu(e|ing)|mov(e|ing) (off|away|to)|migrat(e|ing) (off|away|to))\b`),
	r(ChurnRisk, 5, `\b(not|won'?t|will not|don'?t|do not|no longer|decided not to|unlikely to|not going to|cannot|can'?t) (be )?renew(ing|al)?\b`),
	r(ChurnRisk, 4.5, `\b(cancel|cancell?ing|cancell?ation of|terminate|terminating|termination of|end|ending|close|closing) (our|my|the) (subscription|account|plan|contract|agreement|licen[cs]es?|service)\b`),
	r(ChurnRisk, 5, `\bhow (do|can|would) (i|we) (cancel|close|terminate|end)\b`),
	r(ChurnRisk, 4, `\b(moving|move|moved|migrating|migrated|switching|switched) (off|away from|to (a |an |)(different|another|other|new|competitor|our own))\b|\bmigrating off\b`),
	r(ChurnRisk, 3.5,
		`\b(evaluating|looking at|exploring|considering|reviewing) (other |)(alternatives|other (providers|vendors|options|solutions)|competitors)\b|\b(different|another|other) (provider|vendor|solution)\b`),
	r(ChurnRisk, 4, `\bdowngrad(e|ing)\b`),
	r(ChurnRisk, 4, `\b((won'?t|will not|not) be extending|not extend(ing)?|decided to go with (an? |)(in-house|another|different|other)|hard to justify keeping|exit the (contract|agreement)|wind(ing)? down|i'?m done)\b`),
	r(ChurnRisk, 4, `\b((plan|planning|decided|going|intend) (not )?to (not )?continue|not (to )?continue (with|after|using|the)|last straw|(likely to be |being |will be |to be |)replaced (by|with)|stop (the|our) (service|subscription)|(minimum|smaller|cheaper|lower|basic) (plan|tier))\b`),
	r(ChurnRisk, 4,
		`\b(as a replacement|replac(e|ing) (you|pebblecache|it|the service)|non-?renewal|non renewal|cut list|consolidat(e|ing) (our |)(vendors|tools)|let (it|the (contract|subscription)) lapse|discontinu(e|ing)|regret (choosing|buying|signing)|we'?re (done|out)\b|stop using|dropping (it|pebblecache|the service|you))\b`),
	r(ChurnRisk, 4,
		`\b(have to|has to|going to|gonna|will|'ll|plan to|planning to|need to|decided to|likely|probably)\s+(\w+\s+)?(cancel|discontinue|terminate|drop (it|pebblecache|you)|stop using|churn|let it lapse|end (our|the) (contract|subscription))\b`),
	r(ChurnRisk, 3,
		`\b((reduce|cut|lower|decrease) (our |the |)(seat|licen[cs]e|user) count|cut costs|budget cuts|cost[- ]cutting|delete (our|the) (organi[sz]ation|account|workspace))\b`),
	cased(ChurnRisk, 3, `\b(started |already |)(migrating|moving|switching) to [A-Z][A-Za-z]+`),
	r(ChurnRisk, 3.5, `\b(remove|reduce|cut|drop) (\d+ |some |half (of )?(our |the |)|our |)(seats|licen[cs]es|users)\b`),
	r(ChurnRisk, 3.5, `\b(won'?t|will not|don'?t|do not|no longer|probably won'?t) (need|use|be using) (it|this|the licen[cs]es|the tool|pebblecache|the service|the product|them)\b`),
	r(ChurnRisk, 3, `\bexport (our|all|my|the) data\b`),
	r(ChurnRisk, 3, `\bsunset(ting)?\b`),
	r(ChurnRisk, 3,
		`\b(not happy|unhappy|disappointed|disappointing|frustrated|frustrating|fed up|unacceptable|angry|furious)\b`),
	r(ChurnRisk, 2.5,
		`\b(outages?|downtime|(third|another|yet another|second) (incident|outage)|(really |very |)bad since|getting worse|gotten worse)\b`),
	r(ChurnRisk, 2.5, `\b(value (is|isn'?t) not there|value is not there|not worth|no longer worth|barely use)\b`),
	r(ChurnRisk, 2, `\b(barely|rarely|hardly|stopped) (us(e|ed|ing)|touch(ed)?)\b`),
	r(ChurnRisk, 1.5, `\b(at renewal|renewal|end of (the |our |this |)(term|contract|billing cycle|month|year))\b`),

	// referral: points us to someone else.
	r(Referral, 3,
		`\b(not the (right|best) (person|contact)|(the |)(right|best) (person|contact)|wrong (person|guy|contact|department)|the person to (contact|talk to|speak to|speak with))\b`),
	cased(Referral, 3,
		`\b(talk|speak|reach out|get in touch|connect|follow up|check) (to|with) (my |our |)(colleague |cto |ceo |vp |head |team |manager |director |)[A-Z][a-z]+`),
	r(Referral, 2,
		`\b(no longer (responsible|with|at|working|work|in charge|handle|handling|the contact)|left the (company|team|organi[sz]ation)|moved (to|into) a (different|new) role|changed roles?|not my (area|department|call|decision|team)|not responsible for)\b`),
	r(Referral, 3,
		`\b(looping in|loop in|cc'?ing|cc'?d|copying|adding (my colleague|our|my)|forwarded (this|your (email|message|note|mail)|it) to|introducing|let me introduce|i'?ll introduce)\b`),
	cased(Referral, 2.5,
		`\b([A-Z][a-z]+|who|she|he) (handles|is in charge of|owns|is responsible for|runs|leads|makes the (calls?|decisions?)|decides)\b|\bdecision-?maker\b`),
	r(Referral, 1.5,
		`\b(my|our) (colleague|cto|ceo|it director|director|manager|engineering manager)\b|\b(my|our) (head of|vp) [a-z]+\b`),

	// other: nothing to act on.
	r(Other, 4,
		`\b(delivery status notification|wasn'?t delivered|could not be delivered|couldn'?t be delivered|undeliverable|address not found|mailer-daemon|message not delivered)\b`),
	r(Other, 3,
		`\b(changed my (e-?mail|address)|my new (e-?mail |)address|please use .{1,80} from now on)\b`),
	r(Other, 2,
		`\b(happy holidays|merry christmas|happy new year|congrat(ulation)?s|great meeting you|nice meeting you|good to meet you|nice write-up|enjoyed (your|the))\b`),
	r(Other, 2,
		`\b(the fix worked|all good|resolved now|is working now|works now)\b`),
	r(Other, 2,
		`^(thanks|thank you) (for|so much for) (the|your) (notes|info|information|slides|update|link|summary|recap|reply|answer)\b`),
	r(Other, 1.5, `\b(please find attached|attached is|attached are|i'?ve attached)\b`),
	r(Other, 3.5, `\b(nothing else (needed|required|to do|for now)|no (further )?action (needed|required)|you can close (the|this) ticket|everything is fine now|payment (was|has been) (done|made|sent|processed))\b`),
}

// subjectRules run over the subject line.
var subjectRules = []rule{
	r(OutOfOffice, 5,
		`^(automatic reply|auto(matic)?[- ]?(reply|response|antwort)|auto:|out of (the )?office|ooo\b|abwesenheit|absence|absent|\[?auto|on leave|vacation|holiday)`),
	r(Unsubscribe, 4, `\b(unsubscribe|opt out|remove me)\b`),
	r(ChurnRisk, 3, `\b(cancel(l?ation)?|termination|downgrade)\b`),
	r(PricingQuestion, 1.5, `\b(pricing|price|quote|cost)\b`),
	r(MeetingRequest, 1.5, `\b(meeting|call|demo)\b`),
	r(Other, 4, `\b(delivery status notification|undeliverable|returned mail|failure notice)\b`),
}

// negations are what makes a negatable rule not count when it comes
// within a few words before the match.
var negation = regexp.MustCompile(`\b(not|no longer|never|nor|n['’]t)\W+(\w+\W+)?$`)

// apply adds the rules that match to scores; text is as written, lower
// its lower-cased copy (same length), p what scan found in lower.
func apply(rules []rule, text, lower string, p present, scores *scoreBoard) {
	for i := range rules {
		ru := &rules[i]
		if !p.may(ru.m) {
			continue
		}
		in := lower
		if ru.cased {
			in = text
		}
		for at := 0; at < len(in); {
			var start, end int
			found, ok := false, false
			if ru.m.prefix && !ru.cased {
				start, end, found, ok = p.find(ru.m, in, at)
			}
			if !ok {
				if m := ru.m.re.FindStringIndex(in[at:]); m != nil {
					start, end, found = at+m[0], at+m[1], true
				}
			}
			if !found {
				break
			}
			at = max(end, start+1)
			if ru.negatable && negation.MatchString(lower[max(0, start-24):start]) {
				continue
			}
			add(scores, ru.label, ru.weight, text[start:end])
			break
		}
	}
}

func add(scores *scoreBoard, l Label, w float64, phrase string) {
	scores.add(l, w, strings.TrimSpace(phrase))
}

// score adds up the rules and the features the entities give.
func score(t *text, ents Entities) *scoreBoard {
	scores := &t.scores
	apply(bodyRules, t.reply, t.lreply, t.present, scores)
	apply(subjectRules, t.subject, t.lsubject, t.spresent, scores)
	if len(ents.Times) > 0 {
		add(scores, MeetingRequest, 1.5, ents.Times[0].Text)
		// A time proposed in a question ("Does Monday at 9am work?").
	asked:
		for _, q := range ents.Questions {
			for _, w := range ents.Times {
				if strings.Contains(q.Text, w.Text) {
					add(scores, MeetingRequest, 1.5, "")
					break asked
				}
			}
		}
	}
	for _, q := range ents.Questions {
		if q.Topic == TopicPricing {
			add(scores, PricingQuestion, 2, "")
			break
		}
	}
	if len(ents.Amounts) > 0 {
		add(scores, PricingQuestion, 1, ents.Amounts[0].Text)
	}
	if ents.Seats > 0 {
		add(scores, PricingQuestion, 0.5, "")
	}
	if ents.Referral != nil && ents.Referral.Email != "" {
		add(scores, Referral, 3, ents.Referral.Email)
	}
	if s := scores.get(Other); s == nil && isAcknowledgement(t.reply) {
		add(scores, Other, 2.5, t.reply)
	}
	return scores
}

// ack matches a short reply that only acknowledges.
var ack = regexp.MustCompile(`(?i)^\W*(ok(ay)?|noted|got it|received|thanks?( you)?|thx|ty|cheers|will do|understood|great|perfect|cool|sure|👍|🙏)\b[^?]{0,60}$`)

func isAcknowledgement(reply string) bool {
	s := strings.TrimSpace(reply)
	if s == "" {
		return true
	}
	if len(s) > 80 {
		return false
	}
	if !strings.ContainsFunc(s, func(r rune) bool { return r < 128 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') }) {
		return true // emoji, punctuation
	}
	return ack.MatchString(s)
}
