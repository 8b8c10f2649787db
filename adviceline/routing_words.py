"""Small function words per language that change what a matched phrase means (normalised).

They never choose a topic themselves: "not" before "paid" means nobody paid yet, "if" before
"block him" makes blocking the condition of a threat rather than the question.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

__all__ = [
    "ALREADY",
    "CONDITIONALS",
    "CONTRASTS",
    "REGARDLESS",
    "CONSEQUENCES",
    "JOINERS",
    "NEGATIONS",
    "NEGATIONS_AFTER",
    "QUESTIONS",
    "words_of",
]

# fmt: off
# Negation before a verb ("i haven't paid", "no le he pagado", "ich habe nicht bezahlt").
NEGATIONS: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("not", "never", "havent", "hasnt", "hadnt", "didnt", "dont", "doesnt",
                     "wont", "cant", "nothing", "t")),
    "fr": frozenset(("pas", "ne", "n", "rien", "jamais")),
    "de": frozenset(("nicht", "nichts", "nie", "niemals", "kein", "keine", "keinen", "net")),
    "es": frozenset(("no", "nunca", "nada", "jamas", "ni")),
    "it": frozenset(("non", "mai", "niente", "nulla")),
    "nl": frozenset(("niet", "nooit", "geen", "niks", "niets")),
    "pl": frozenset(("nie", "nigdy", "nic")),
    "pt": frozenset(("nao", "nunca", "nada", "nem", "jamais")),
    "sv": frozenset(("inte", "aldrig", "ej", "inget", "ingenting", "int")),
}
# Negation after the verb, where the language puts it there ("jag betalade inte").
NEGATIONS_AFTER: Final[Mapping[str, frozenset[str]]] = {
    "fr": frozenset(("pas", "rien", "jamais")),
    "de": frozenset(("nicht", "nichts", "nie", "net")),
    "nl": frozenset(("niet", "nooit", "niks", "niets")),
    "sv": frozenset(("inte", "aldrig", "ej", "int")),
}
# "Already" between a negation and the verb undoes it: "no, i already paid", "no ya le pagué".
ALREADY: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("already", "just")),
    "fr": frozenset(("deja",)),
    "de": frozenset(("schon", "bereits")),
    "es": frozenset(("ya",)),
    "it": frozenset(("gia",)),
    "nl": frozenset(("al", "reeds", "pas")),
    "pl": frozenset(("juz",)),
    "pt": frozenset(("ja",)),
    "sv": frozenset(("redan",)),
}
# "If", "unless": the phrase right after is a threat's condition ("he'll post them if i block
# him", "si je bloque il balance tout").
CONDITIONALS: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("if", "unless", "once")),
    "fr": frozenset(("si", "sil")),
    "de": frozenset(("wenn", "falls", "sobald")),
    "es": frozenset(("si",)),
    "it": frozenset(("se",)),
    "nl": frozenset(("als", "indien", "zodra")),
    "pl": frozenset(("jak", "jesli", "jezeli", "gdy", "jakbym", "jesliby")),
    "pt": frozenset(("se", "caso")),
    "sv": frozenset(("om", "ifall")),
}
# "Or else", "threatens to": what follows is the threat's consequence ("she wants 300 or she
# posts them on my story", "hotar att lägga upp den på en porrsida").
CONSEQUENCES: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("or", "otherwise", "else", "threatens to", "threatening to", "threatened to",
                     "threatens", "says hell", "said hed", "says shell", "said shed")),
    "fr": frozenset(("sinon", "ou", "menace de", "menace d", "menace", "a menace")),
    "de": frozenset(("sonst", "oder", "ansonsten", "droht", "drohte", "gedroht")),
    "es": frozenset(("sino", "o", "amenaza con", "amenazo con", "amenaza")),
    "it": frozenset(("altrimenti", "senno", "o", "minaccia di", "minacciato di", "minaccia")),
    "nl": frozenset(("anders", "of", "dreigt", "dreigde", "gedreigd")),
    "pl": frozenset(("inaczej", "albo", "bo", "grozi", "grozil", "grozila", "szantazuje")),
    "pt": frozenset(("senao", "ou", "ameaca", "ameacou", "ameaca me")),
    "sv": frozenset(("annars", "eller", "hotar att", "hotade att", "hotar", "hotade")),
}
# "And", "or", "then": a second thing asked about, joined to the first.
JOINERS: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("and", "or", "then", "also", "plus")),
    "fr": frozenset(("et", "ou", "puis", "aussi")),
    "de": frozenset(("und", "oder", "dann", "auch")),
    "es": frozenset(("y", "e", "o", "u", "luego", "tambien")),
    "it": frozenset(("e", "ed", "o", "poi", "anche")),
    "nl": frozenset(("en", "of", "dan", "ook")),
    "pl": frozenset(("i", "a", "oraz", "lub", "albo", "czy", "potem", "tez")),
    "pt": frozenset(("e", "ou", "depois", "tambem")),
    "sv": frozenset(("och", "eller", "sen", "sedan", "ocksa")),
}
# "But", "scared": what comes after is a worry, not how a threat came ("i want to block him
# *but* i'm scared he'll post them" asks about blocking).
CONTRASTS: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("but", "scared", "afraid", "worried", "terrified", "fear", "though")),
    "fr": frozenset(("mais", "peur", "crains")),
    "de": frozenset(("aber", "angst", "furchte", "fuerchte", "sorge")),
    "es": frozenset(("pero", "miedo", "temo")),
    "it": frozenset(("ma", "paura", "pero", "temo")),
    "nl": frozenset(("maar", "bang", "vrees")),
    "pl": frozenset(("ale", "boje", "obawiam", "strach")),
    "pt": frozenset(("mas", "medo", "receio", "temo")),
    "sv": frozenset(("men", "radd", "orolig")),
}
# "Anyway", "still": it happened all the same ("i paid and he posted them *anyway*").
REGARDLESS: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("still", "anyway", "anyways", "regardless", "even so")),
    "fr": frozenset(("quand meme", "toujours", "malgre")),
    "de": frozenset(("trotzdem", "immer noch", "dennoch")),
    "es": frozenset(("igual", "aun asi", "todavia", "igualmente")),
    "it": frozenset(("comunque", "lo stesso", "ugualmente")),
    "nl": frozenset(("toch", "nog steeds", "alsnog")),
    "pl": frozenset(("mimo to", "i tak", "nadal")),
    "pt": frozenset(("mesmo assim", "ainda assim", "ainda")),
    "sv": frozenset(("anda", "i alla fall", "anda ocksa")),
}
# What opens a question, as one or two words: the phrase right after it is what the person
# asks about ("how do i *get them removed*", "quali sono *i segnali* di una sextortion").
QUESTIONS: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("how", "what", "whats", "why", "where", "who", "which", "should", "shall",
                     "does", "is this", "is it", "is that", "is he", "is she", "are they",
                     "are these", "can i", "can you", "can they", "can he", "could i", "do i",
                     "will i", "will they", "would it", "would i")),
    "fr": frozenset(("comment", "quoi", "quel", "quelle", "quels", "quelles", "pourquoi",
                     "combien", "est ce", "estce", "dois je", "je dois", "faut il", "peut on",
                     "puis je", "je peux", "on peut", "cest normal", "c est")),
    "de": frozenset(("wie", "was", "woran", "wo", "wohin", "warum", "wieso", "wer", "wem",
                     "welche", "welcher", "soll ich", "sollte ich", "kann ich", "muss ich",
                     "darf ich", "ist das", "ist es", "kann man")),
    "es": frozenset(("como", "cual", "cuales", "donde", "debo", "puedo", "que hago", "que debo",
                     "que puedo", "que es", "es normal", "es real", "es esto", "tengo que",
                     "hay que", "por que", "se puede")),
    "it": frozenset(("come", "cosa", "quali", "quale", "dove", "perche", "devo", "posso",
                     "e normale", "e vero", "si puo", "che faccio", "che devo")),
    "nl": frozenset(("hoe", "wat", "welke", "waar", "waarom", "wie", "moet ik", "kan ik",
                     "mag ik", "zal ik", "is dit", "is het", "is dat", "kun je", "kan je")),
    "pl": frozenset(("jak", "co", "czy", "gdzie", "dlaczego", "czemu", "mam", "musze",
                     "moge")),
    "pt": frozenset(("como", "qual", "quais", "onde", "devo", "posso", "o que", "e normal",
                     "e verdade", "por que", "porque e", "tenho de", "tenho que")),
    "sv": frozenset(("hur", "vad", "vilka", "vilken", "varfor", "vem", "ska jag", "borde jag",
                     "kan jag", "maste jag", "far jag", "ar det", "kan man")),
}
# fmt: on


def words_of(table: Mapping[str, frozenset[str]], languages: Iterable[str]) -> frozenset[str]:
    """The words of `table` for any of `languages`."""
    return frozenset().union(*(table.get(lang, frozenset()) for lang in languages))
