/*
Copyright 2026 The Ethos Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package evaluator

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ethos-operator/ethos/internal/engine/document"
	"github.com/ethos-operator/ethos/internal/engine/wire"
)

// wording is how personalized explanations are worded in one language
// (docs/decision-engine.md quotes the English).
type wording struct {
	prefix        string // before the data used
	separator     string // between two data
	noData        string // instead of prefix and data, when none was read
	viewed        string // history.viewed was read
	purchased     string // history.purchased was shown (RecentlyPurchased)
	excluded      string // history.purchased was only used to leave items out
	purposePrefix string // before the purpose's description
	// lowerFirst lowers the first letter of a description used inside the sentence
	// (not in German, whose nouns keep their capital).
	lowerFirst bool
	// cookieChoices is the sentence added when the visitor's consent came from their consent
	// banner (a TC string or Consent Mode) rather than from the site's own purpose map.
	cookieChoices string
}

// wordings are the explanations' connecting words in every language of wire.LanguageCodes.
var wordings = [wire.NumLanguages]wording{
	wire.English: {
		prefix:        "We showed this because of: ",
		separator:     "; ",
		noData:        "We showed this without using information about you",
		viewed:        "the products you viewed recently",
		purchased:     "the products you bought",
		excluded:      "what you already bought, so we do not suggest it again",
		purposePrefix: "Purpose: ",
		lowerFirst:    true,
		cookieChoices: "This is based on your cookie choices.",
	},
	wire.French: {
		prefix:        "Nous vous montrons ceci en raison de : ",
		separator:     " ; ",
		noData:        "Nous vous montrons ceci sans utiliser d'informations vous concernant",
		viewed:        "les produits que vous avez consultés récemment",
		purchased:     "les produits que vous avez achetés",
		excluded:      "ce que vous avez déjà acheté, pour ne pas vous le proposer à nouveau",
		purposePrefix: "Finalité : ",
		lowerFirst:    true,
		cookieChoices: "Ceci repose sur vos choix en matière de cookies.",
	},
	wire.German: {
		prefix:        "Wir zeigen Ihnen dies aufgrund von: ",
		separator:     "; ",
		noData:        "Wir zeigen Ihnen dies, ohne Informationen über Sie zu verwenden",
		viewed:        "die Produkte, die Sie sich kürzlich angesehen haben",
		purchased:     "die Produkte, die Sie gekauft haben",
		excluded:      "was Sie bereits gekauft haben, damit wir es Ihnen nicht erneut vorschlagen",
		purposePrefix: "Zweck: ",
		lowerFirst:    false,
		cookieChoices: "Dies beruht auf Ihren Cookie-Einstellungen.",
	},
	wire.Spanish: {
		prefix:        "Le mostramos esto por: ",
		separator:     "; ",
		noData:        "Le mostramos esto sin usar información sobre usted",
		viewed:        "los productos que ha visto recientemente",
		purchased:     "los productos que ha comprado",
		excluded:      "lo que ya ha comprado, para no volver a sugerírselo",
		purposePrefix: "Finalidad: ",
		lowerFirst:    true,
		cookieChoices: "Esto se basa en sus preferencias de cookies.",
	},
	wire.Italian: {
		prefix:        "Ti mostriamo questo in base a: ",
		separator:     "; ",
		noData:        "Ti mostriamo questo senza usare informazioni su di te",
		viewed:        "i prodotti che hai visto di recente",
		purchased:     "i prodotti che hai acquistato",
		excluded:      "ciò che hai già acquistato, per non suggerirtelo di nuovo",
		purposePrefix: "Finalità: ",
		lowerFirst:    true,
		cookieChoices: "Questo si basa sulle tue scelte sui cookie.",
	},
	wire.Portuguese: {
		prefix:        "Mostramos isto com base em: ",
		separator:     "; ",
		noData:        "Mostramos isto sem usar informações sobre você",
		viewed:        "os produtos que você viu recentemente",
		purchased:     "os produtos que você comprou",
		excluded:      "o que você já comprou, para não sugeri-lo de novo",
		purposePrefix: "Finalidade: ",
		lowerFirst:    true,
		cookieChoices: "Isto se baseia nas suas escolhas de cookies.",
	},
	wire.Dutch: {
		prefix:        "We tonen dit op basis van: ",
		separator:     "; ",
		noData:        "We tonen dit zonder informatie over u te gebruiken",
		viewed:        "de producten die u onlangs hebt bekeken",
		purchased:     "de producten die u hebt gekocht",
		excluded:      "wat u al hebt gekocht, zodat we het niet opnieuw voorstellen",
		purposePrefix: "Doel: ",
		lowerFirst:    true,
		cookieChoices: "Dit is gebaseerd op uw cookiekeuzes.",
	},
}

// localized is a text in every language; "" where it has no translation (English, the
// default, is always set).
type localized [wire.NumLanguages]string

// explainLanguage is the language an explanation can be written in entirely: lang when the
// purpose and every attribute the explanation names (present has bit i for x.used[i]) have
// a text in it, else English. A sentence never mixes languages.
func (e *Evaluator) explainLanguage(x *experience, present uint32, lang wire.Language) wire.Language {
	if e.purposeSentence[lang] == "" {
		return wire.English
	}
	for i, idx := range x.used {
		if present&(1<<i) != 0 && e.attrTexts[idx][lang] == "" {
			return wire.English
		}
	}
	return lang
}

// explain builds the visitor's explanation of a personalized answer in lang (or in English
// when a text it needs is not translated, see explainLanguage): the descriptions of the
// declared attributes the decision read and the visitor has (present has bit i for
// x.used[i]), the history read, then the purpose.
// fromBanner adds that consent came from the visitor's cookie choices.
func (e *Evaluator) explain(x *experience, present uint32, history int, fromBanner bool, lang wire.Language) string {
	lang = e.explainLanguage(x, present, lang)
	w := &wordings[lang]
	var b strings.Builder
	n := 0
	add := func(s string) {
		if n == 0 {
			b.WriteString(w.prefix)
		} else {
			b.WriteString(w.separator)
		}
		b.WriteString(s)
		n++
	}
	for i, idx := range x.used {
		if present&(1<<i) != 0 {
			add(e.attrTexts[idx][lang])
		}
	}
	if history&historyViewed != 0 {
		add(w.viewed)
	}
	if history&historyPurchased != 0 {
		if x.rec != nil && x.rec.source == document.SourceRecentlyPurchased {
			add(w.purchased)
		} else {
			add(w.excluded)
		}
	}
	if n == 0 {
		b.WriteString(w.noData)
	}
	b.WriteString(". ")
	b.WriteString(e.purposeSentence[lang])
	if fromBanner {
		b.WriteString(" ")
		b.WriteString(w.cookieChoices)
	}
	return b.String()
}

// translated is text in every language: English from the default (or its en translation),
// the others from their translations, "" where there is none. An unsupported language code
// is an error (the CRD's schema admits none).
func translated(path, def string, tr document.Translations, render func(text string, lang wire.Language) string) (localized, error) {
	var out localized
	for code, text := range tr {
		l, ok := wire.ParseLanguage(code)
		if !ok || wire.LanguageCodes[l] != code {
			return out, fmt.Errorf("%s.descriptionTranslations: unsupported language %q, use one of %s", path, code, strings.Join(wire.LanguageCodes[:], ", "))
		}
		if strings.TrimSpace(text) != "" {
			out[l] = render(text, l)
		}
	}
	if out[wire.English] == "" {
		out[wire.English] = render(def, wire.English)
	}
	return out, nil
}

// purposeSentence is "Purpose: <description>." from the policy's plain-language text.
func purposeSentence(name, description string, lang wire.Language) string {
	d := strings.TrimSpace(description)
	if d == "" {
		d = name
	}
	if !strings.HasSuffix(d, ".") && !strings.HasSuffix(d, "!") && !strings.HasSuffix(d, "?") {
		d += "."
	}
	return wordings[lang].purposePrefix + d
}

// attributeText is how the explanation names a declared attribute: its description as
// part of a sentence ("The sports you browsed." → "the sports you browsed"), or, without
// one, its name in words ("viewedCategories" → "your viewed categories", English only).
func attributeText(name, description string, lang wire.Language) string {
	d := strings.TrimRight(strings.TrimSpace(description), ".")
	if d == "" {
		return "your " + words(name)
	}
	first, size := utf8.DecodeRuneInString(d)
	next, _ := utf8.DecodeRuneInString(d[size:])
	// Lower the first letter of a sentence, but not of an acronym ("IP address").
	if wordings[lang].lowerFirst && unicode.IsUpper(first) && !unicode.IsUpper(next) {
		d = string(unicode.ToLower(first)) + d[size:]
	}
	return d
}

// words splits an identifier into lower-case words: "viewedCategories" → "viewed categories".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '_':
			b.WriteByte(' ')
			continue
		case unicode.IsUpper(r) && i > 0:
			b.WriteByte(' ')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
