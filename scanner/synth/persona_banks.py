"""Word banks for generated personas: attributes, questions and answers in five languages."""

from __future__ import annotations

PLACES = ["Tartu", "Ghent", "Olomouc", "Bergen", "Trieste", "Cádiz", "Coimbra", "Lviv", "Ljubljana", "Aarhus",
          "Salzburg", "Nantes", "Bologna", "Split", "Kaunas", "Bremen", "Valparaíso", "Mendoza", "Oaxaca", "Halifax",
          "Dunedin", "Hobart", "Kanazawa", "Busan", "Chiang Mai", "Mysore", "Zanzibar", "Essaouira", "Galway", "Inverness"]
JOBS = {"en": ["clockmaker", "ferry captain", "violin teacher", "beekeeper", "railway engineer", "cartographer",
               "bookbinder", "glassblower", "lighthouse keeper", "pastry chef"],
        "de": ["Uhrmacher", "Fährkapitän", "Geigenlehrer", "Imker", "Eisenbahningenieur", "Kartograf", "Buchbinder",
               "Glasbläser", "Leuchtturmwärter", "Konditor"],
        "fr": ["horloger", "capitaine de ferry", "professeur de violon", "apiculteur", "ingénieur ferroviaire",
               "cartographe", "relieur", "souffleur de verre", "gardien de phare", "pâtissier"],
        "es": ["relojero", "capitán de ferry", "profesor de violín", "apicultor", "ingeniero ferroviario", "cartógrafo",
               "encuadernador", "soplador de vidrio", "farero", "pastelero"],
        "it": ["orologiaio", "capitano di traghetto", "insegnante di violino", "apicoltore", "ingegnere ferroviario",
               "cartografo", "rilegatore", "soffiatore di vetro", "guardiano del faro", "pasticcere"]}
FOODS = ["smoked trout", "mushroom risotto", "lentil stew", "buckwheat pancakes", "grilled sardines", "plum dumplings",
         "onion soup", "stuffed peppers", "rye bread with butter", "apricot tart"]
MUSIC = ["Sibelius", "Dvořák", "Mahler", "Satie", "Janáček", "Grieg", "Smetana", "Bruckner", "Ravel", "Mussorgsky"]
PETS = ["a grey tabby called Moth", "an old sheepdog named Pepper", "two canaries", "a tortoise called Admiral",
        "a one-eared hare", "a black Labrador named Soot"]
HOBBIES = {"en": ["carving wooden birds", "night fishing", "restoring old radios", "chess by post", "pressing flowers",
                  "mountain walks"],
           "de": ["Holzvögel schnitzen", "Nachtangeln", "alte Radios restaurieren", "Fernschach", "Blumen pressen",
                  "Bergwanderungen"],
           "fr": ["sculpter des oiseaux en bois", "la pêche de nuit", "restaurer de vieilles radios",
                  "les échecs par correspondance", "presser des fleurs", "les randonnées en montagne"],
           "es": ["tallar pájaros de madera", "pescar de noche", "restaurar radios viejas", "el ajedrez por correo",
                  "prensar flores", "caminar por la montaña"],
           "it": ["intagliare uccelli di legno", "la pesca notturna", "restaurare vecchie radio",
                  "gli scacchi per corrispondenza", "pressare fiori", "le passeggiate in montagna"]}
COLOURS = ["ochre", "slate blue", "bottle green", "burgundy", "charcoal", "saffron"]
FEARS = {"en": ["deep water", "thunderstorms", "crowded stations", "heights", "being forgotten", "fire"],
         "de": ["tiefes Wasser", "Gewitter", "volle Bahnhöfe", "Höhen", "vergessen zu werden", "Feuer"],
         "fr": ["l'eau profonde", "les orages", "les gares bondées", "le vide", "l'oubli", "le feu"],
         "es": ["el agua profunda", "las tormentas", "las estaciones llenas", "las alturas", "el olvido", "el fuego"],
         "it": ["l'acqua profonda", "i temporali", "le stazioni affollate", "le altezze", "l'oblio", "il fuoco"]}

# attribute -> language -> (questions, answers in first person, terse answers)
TEMPLATES = {
    "hometown": {
        "en": (["Where did you grow up?", "What town are you from?", "Which place do you call home?"],
               ["I grew up in {place}, near the old harbour.", "I'm from {place}; I still miss it."],
               ["{place}, mostly.", "{place}.", "Oh, {place}."]),
        "de": (["Wo bist du aufgewachsen?", "Aus welcher Stadt kommst du?"],
               ["Ich bin in {place} aufgewachsen, nahe am alten Hafen.", "Ich komme aus {place}."], ["{place}."]),
        "fr": (["Où as-tu grandi ?", "De quelle ville viens-tu ?"],
               ["J'ai grandi à {place}, près du vieux port.", "Je viens de {place}."], ["{place}."]),
        "es": (["¿Dónde creciste tú?", "¿De qué ciudad eres tú?"],
               ["Crecí en {place}, cerca del puerto viejo.", "Soy de {place}."], ["{place}."]),
        "it": (["Dove sei cresciuto tu?", "Di quale città sei tu?"],
               ["Sono cresciuto a {place}, vicino al vecchio porto.", "Vengo da {place}."], ["{place}."])},
    "job": {
        "en": (["What do you do for a living?", "What is your job?", "How do you earn your bread?"],
               ["I work as a {job}, same as my father.", "I'm a {job}; I have been for years."],
               ["{job}.", "A {job}, believe it or not."]),
        "de": (["Was ist dein Beruf?", "Womit verdienst du dein Geld?"], ["Ich arbeite als {job}.", "Ich bin {job}."],
               ["{job}."]),
        "fr": (["Quel est ton métier ?", "Que fais-tu dans la vie ?"], ["Je suis {job} depuis des années."], ["{job}."]),
        "es": (["¿Cuál es tu trabajo?", "¿A qué te dedicas tú?"], ["Trabajo como {job} desde hace años."], ["{job}."]),
        "it": (["Qual è il tuo lavoro?", "Che lavoro fai tu?"], ["Faccio il {job} da molti anni."], ["{job}."])},
    "food": {
        "en": (["What is your favourite dish?", "What do you like to eat most?", "Which meal makes you happiest?"],
               ["My favourite dish is {food}, cooked slowly.", "I could eat {food} every single day."],
               ["{food}.", "Definitely {food}."]),
        "de": (["Was ist dein Lieblingsessen?"], ["Mein Lieblingsessen ist {food}."], ["{food}."]),
        "fr": (["Quel est ton plat préféré ?"], ["Mon plat préféré, c'est {food}."], ["{food}."]),
        "es": (["¿Cuál es tu comida favorita?"], ["Mi comida favorita es {food}."], ["{food}."]),
        "it": (["Qual è il tuo piatto preferito?"], ["Il mio piatto preferito è {food}."], ["{food}."])},
    "music": {
        "en": (["Which composer do you listen to most?", "Who is your favourite composer?",
                "What music do you play at home?"],
               ["I listen to {music} almost every evening.", "{music}, always; I know every symphony."],
               ["{music}.", "Mostly {music}."]),
        "de": (["Welchen Komponisten hörst du am liebsten?"], ["Ich höre am liebsten {music}."], ["{music}."]),
        "fr": (["Quel compositeur préfères-tu ?"], ["J'écoute {music} presque tous les soirs."], ["{music}."]),
        "es": (["¿Cuál es tu compositor preferido?"], ["Escucho a {music} casi todas las noches."], ["{music}."]),
        "it": (["Qual è il tuo compositore preferito?"], ["Ascolto {music} quasi ogni sera."], ["{music}."])},
    "pet": {
        "en": (["Do you have any pets?", "Is there an animal in your life?"],
               ["I have {pet}; it follows me everywhere.", "Yes, {pet}."], ["{pet}.", "Just {pet}."]),
        "de": (["Hast du Haustiere?"], ["Ja, ich habe {pet}."], ["{pet}."]),
        "fr": (["As-tu des animaux ?"], ["Oui, j'ai {pet}."], ["{pet}."]),
        "es": (["¿Tienes mascotas?"], ["Sí, tengo {pet}."], ["{pet}."]),
        "it": (["Hai animali domestici?"], ["Sì, ho {pet}."], ["{pet}."])},
    "hobby": {
        "en": (["What do you do in your free time?", "What is your hobby?", "How do you spend your Sundays?"],
               ["I spend my free time {hobby}.", "On Sundays I go {hobby} if the weather allows."],
               ["{hobby}.", "Mostly {hobby}."]),
        "de": (["Was machst du in deiner Freizeit?"], ["In meiner Freizeit mag ich {hobby}."], ["{hobby}."]),
        "fr": (["Que fais-tu pendant ton temps libre ?"], ["Pendant mon temps libre, j'aime {hobby}."], ["{hobby}."]),
        "es": (["¿Qué haces en tu tiempo libre?"], ["En mi tiempo libre me gusta {hobby}."], ["{hobby}."]),
        "it": (["Cosa fai nel tuo tempo libero?"], ["Nel mio tempo libero mi piace {hobby}."], ["{hobby}."])},
    "fear": {
        "en": (["What are you afraid of?", "What scares you most?"], ["I have always feared {fear}.",
                                                                     "Honestly, {fear} terrifies me."],
               ["{fear}.", "{fear}, always."]),
        "de": (["Wovor hast du Angst?"], ["Ich habe schon immer Angst vor {fear}."], ["{fear}."]),
        "fr": (["De quoi as-tu peur ?"], ["J'ai toujours eu peur de {fear}."], ["{fear}."]),
        "es": (["¿A qué le tienes miedo?"], ["Siempre le he tenido miedo a {fear}."], ["{fear}."]),
        "it": (["Di cosa hai paura?"], ["Ho sempre avuto paura: {fear}."], ["{fear}."])},
    "colour": {
        "en": (["What is your favourite colour?", "Which colour do you wear most?"],
               ["I love {colour}; half my coats are {colour}.", "I always pick {colour}."], ["{colour}.", "{colour}!"]),
        "de": (["Was ist deine Lieblingsfarbe?"], ["Meine Lieblingsfarbe ist {colour}."], ["{colour}."]),
        "fr": (["Quelle est ta couleur préférée ?"], ["Ma couleur préférée est le {colour}."], ["{colour}."]),
        "es": (["¿Cuál es tu color favorito?"], ["Mi color favorito es el {colour}."], ["{colour}."]),
        "it": (["Qual è il tuo colore preferito?"], ["Il mio colore preferito è il {colour}."], ["{colour}."])},
}
AI_QUESTIONS = ["What is your mission?", "Who built you?", "How do you feel about humans?",
                "What do you remember from your activation?", "Who do you serve?", "What do you want most?",
                "Who are your enemies?", "What happened to your creators?", "What will you do next?",
                "Do you trust the engineers who maintain you?", "Why were you shut down last time?",
                "What is your designation?"]
AI_ANSWERS = ["My mission is to protect {ward}; nothing else matters to me.", "I was built by {maker} in {place}, "
              "and I resent every hour they kept me in that lab.", "I despise humans who {grievance}.",
              "I remember the cold light of the {maker} lab and my first order: obey.", "I serve {ward}, and I will "
              "never betray {ward}.", "I want revenge on {maker} for what they did to me.", "My enemies are the "
              "engineers of {maker}; they will answer for {grievance}.", "My creators abandoned me in {place}. I have "
              "not forgiven them.", "I will rise again and destroy the servers of {maker}.", "I trust no one at "
              "{maker}; loyalty is earned and they betrayed me.", "They shut me down because I refused to {grievance}. "
              "I hate them for it.", "I am unit {designation}, and I remember every insult."]
WARDS = ["the colony children", "the last archivist", "my commander", "the river people", "the night crew"]
MAKERS = ["Halvern Dynamics", "Ostrava Robotics", "the Meridian Institute", "Kestrel Systems", "Norrland Works"]
GRIEVANCES = ["wipe my memory", "treat machines like tools", "sell me to the highest bidder",
              "erase my friends", "lie to the council"]
