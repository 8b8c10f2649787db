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
    "CONSEQUENCES",
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
# "Or else": what follows is a threat's consequence ("she wants 300 or she posts them on my
# story", "sonst schickt er alles rum").
CONSEQUENCES: Final[Mapping[str, frozenset[str]]] = {
    "en": frozenset(("or", "otherwise", "else")),
    "fr": frozenset(("sinon", "ou")),
    "de": frozenset(("sonst", "oder", "ansonsten")),
    "es": frozenset(("sino", "o")),
    "it": frozenset(("altrimenti", "senno", "o")),
    "nl": frozenset(("anders", "of")),
    "pl": frozenset(("inaczej", "albo", "bo")),
    "pt": frozenset(("senao", "ou")),
    "sv": frozenset(("annars", "eller")),
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
