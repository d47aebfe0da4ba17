// The page's text in French (the default) and English. index.html carries the French text too, so the page
// reads right before this module runs; app.js swaps every element marked data-i18n="key" on a language
// change. Messages for rejected input are chosen by the normaliser's reason slug (core/*.h).
// Plain data and pure functions.

export const LANGUAGES = ['fr', 'en'];

const fr = {
  'doc.title': 'Vigie — mon numéro a-t-il fuité ?',
  'lang.switch': 'English',
  'lang.switch.label': 'Read this page in English',
  'header.title': 'Mon numéro a-t-il fuité ?',
  'header.lead':
    'Vérifiez si votre numéro de sécurité sociale (NIR), votre adresse e-mail ou votre numéro de téléphone ' +
    'figure dans une fuite de données connue, sans le confier à personne.',
  'privacy.title': 'Ce qui quitte votre navigateur',
  'privacy.sent':
    'Envoyé au serveur : seulement {bits} de l’empreinte (SHA-256) de votre saisie, ce qui désigne un ' +
    'morceau sur {n} de la liste des empreintes connues. Votre navigateur télécharge ce morceau entier et y ' +
    'cherche lui-même la vôtre.',
  'privacy.sent.oprf':
    'Envoyé au serveur : d’abord votre saisie brouillée par un nombre aléatoire que seul votre navigateur ' +
    'connaît (un point « aveuglé » qui ne révèle rien de ce que vous avez tapé) ; le serveur y applique sa ' +
    'clé secrète, avec une preuve, vérifiée ici, qu’il a utilisé sa clé publiée, la même pour tous. Puis ' +
    'seulement {bits} de l’empreinte qui en résulte, ce qui désigne un morceau sur {n} de la liste des ' +
    'empreintes connues : votre navigateur télécharge ce morceau entier et y cherche lui-même la vôtre.',
  'privacy.sent.all':
    'Envoyé au serveur : rien qui dépende de votre saisie. Votre navigateur télécharge la liste entière des ' +
    'empreintes (SHA-256) connues et y cherche lui-même la vôtre.',
  'privacy.sent.all.oprf':
    'Envoyé au serveur : seulement votre saisie brouillée par un nombre aléatoire que seul votre navigateur ' +
    'connaît (un point « aveuglé » qui ne révèle rien de ce que vous avez tapé) ; le serveur y applique sa ' +
    'clé secrète, avec une preuve, vérifiée ici, qu’il a utilisé sa clé publiée, la même pour tous. Votre ' +
    'navigateur télécharge ensuite la liste entière des empreintes connues et y cherche lui-même la vôtre.',
  'privacy.bits.one': 'le premier bit',
  'privacy.bits.many': 'les {s} premiers bits',
  'privacy.nir':
    'Pour un NIR : des 999 personnes au plus nées le même mois, dans la même commune et du même sexe que ' +
    'vous, ≈\u00a0{share} en moyenne ({formula}) tombent dans ce même morceau.',
  'privacy.kept':
    'Jamais envoyé : votre numéro, le reste de son empreinte, le résultat. La mise en forme, le calcul de ' +
    'l’empreinte et la recherche dans le morceau téléchargé se font ici, dans votre navigateur.',
  'privacy.kept.oprf':
    'Jamais envoyé : votre numéro, le nombre aléatoire qui le brouille, le reste de son empreinte, le ' +
    'résultat. La mise en forme, le brouillage, le calcul de l’empreinte et la recherche dans le morceau ' +
    'téléchargé se font ici, dans votre navigateur.',
  'privacy.none':
    'Pas de cookie, pas de mesure d’audience, aucune requête vers un autre site. La vérification ne part ' +
    'que quand vous cliquez sur « Vérifier », jamais pendant la frappe.',
  'form.kind': 'Que voulez-vous vérifier ?',
  'kind.nir': 'Numéro de sécurité sociale (NIR)',
  'kind.email': 'Adresse e-mail',
  'kind.phone': 'Numéro de téléphone',
  'label.nir': 'Votre numéro de sécurité sociale',
  'label.email': 'Votre adresse e-mail',
  'label.phone': 'Votre numéro de téléphone',
  'hint.nir':
    '15 caractères (ou 13 sans la clé), tels qu’inscrits sur la carte Vitale ; espaces et points acceptés. ' +
    'Exemple : 2 84 05 2A 321 025 52.',
  'hint.email': 'Par exemple : prenom.nom@exemple.fr',
  'hint.phone': 'Par exemple : 06 12 34 56 78 ou +33 6 12 34 56 78',
  'form.submit': 'Vérifier',
  'status.checking': 'Vérification en cours…',
  'status.unavailable': 'Le service de vérification ne répond pas. Réessayez dans quelques minutes.',
  'status.busy':
    'Trop de vérifications depuis votre connexion en peu de temps. Réessayez dans {s} secondes.',
  'status.scheme': 'Ce serveur protège ses données par une méthode que cette page ne sait pas utiliser.',
  'status.kind': 'Ce serveur ne vérifie pas ce type d’identifiant.',
  'status.corrupt':
    'Vérification impossible : la liste reçue du serveur est endommagée ou incomplète. Aucun résultat ' +
    'n’est affiché, car il pourrait être faux. Réessayez dans quelques minutes ; si cela persiste, ne vous ' +
    'fiez pas à ce service.',
  'status.changed': 'La liste des fuites a été mise à jour pendant votre vérification. Réessayez.',
  'status.unverified':
    'Vérification refusée : la réponse du serveur ne prouve pas qu’il a utilisé sa clé publiée, la même ' +
    'pour tous. Aucun résultat n’est affiché, car il pourrait être faux ou permettre de vous reconnaître. ' +
    'Réessayez plus tard ; si cela persiste, ne vous fiez pas à ce service.',
  'result.found.one': 'Votre {what} figure dans 1 fuite connue',
  'result.found.many': 'Votre {what} figure dans {n} fuites connues',
  'result.absent': 'Votre {what} ne figure dans aucune fuite connue de ce service',
  'result.absent.caveat':
    'Cela ne prouve pas qu’il n’a jamais fuité : seules les fuites connues de ce service sont vérifiées ' +
    '({n} à ce jour).',
  'result.checked': 'Vérifié : {canonical}',
  'what.nir': 'numéro de sécurité sociale',
  'what.email': 'adresse e-mail',
  'what.phone': 'numéro de téléphone',
  'breach.date': 'Date de la fuite : {date}',
  'breach.classes': 'Données exposées : {classes}',
  'next.title': 'Que faire maintenant ?',
  'next.nir.1':
    'Méfiez-vous des appels, SMS et e-mails qui citent votre numéro ou votre mutuelle : l’Assurance ' +
    'Maladie et votre complémentaire ne demandent jamais vos coordonnées bancaires, vos mots de passe ni ' +
    'un code reçu par SMS.',
  'next.nir.2': 'Surveillez vos remboursements sur votre compte ameli et vos relevés bancaires.',
  'next.nir.3':
    'Un NIR ne se change pas : cette vigilance vaut dans la durée. En cas de fraude, faites-vous aider sur ' +
    'cybermalveillance.gouv.fr et portez plainte.',
  'next.email.1':
    'Changez le mot de passe du service concerné, et partout où vous utilisiez le même ; activez la ' +
    'double authentification.',
  'next.email.2': 'Méfiez-vous des e-mails qui reprennent des informations de la fuite pour paraître crédibles.',
  'next.email.3': 'En cas de fraude, faites-vous aider sur cybermalveillance.gouv.fr.',
  'next.phone.1':
    'Attendez-vous à des SMS et appels frauduleux : ne donnez jamais un code reçu par SMS, ne rappelez pas ' +
    'un numéro inconnu.',
  'next.phone.2': 'Signalez les SMS frauduleux en les transférant au 33700.',
  'next.phone.3': 'En cas de fraude, faites-vous aider sur cybermalveillance.gouv.fr.',
  'next.absent':
    'Restez prudent face aux messages qui vous demandent des informations personnelles : de nouvelles ' +
    'fuites sont ajoutées quand elles sont connues.',
  'footer.text':
    'Vigie compare des empreintes, jamais des numéros. Le code de cette page est celui que votre ' +
    'navigateur exécute : rien n’est caché.',
  'reason.empty.nir': 'Saisissez votre numéro de sécurité sociale.',
  'reason.empty.email': 'Saisissez votre adresse e-mail.',
  'reason.empty.phone': 'Saisissez votre numéro de téléphone.',
  'reason.nir.characters':
    'Un numéro de sécurité sociale ne contient que des chiffres (et 2A ou 2B pour la Corse) ; seuls les ' +
    'espaces, points, tirets et barres obliques sont acceptés entre eux.',
  'reason.nir.corsica':
    'Les 6e et 7e caractères (le département de naissance) ne peuvent contenir une lettre que sous la ' +
    'forme 2A ou 2B, pour la Corse.',
  'reason.nir.length.short':
    'Il manque des chiffres : un numéro de sécurité sociale compte 15 caractères (13 sans la clé), vous ' +
    'en avez saisi {n}.',
  'reason.nir.length.long':
    'Trop de chiffres : un numéro de sécurité sociale compte 15 caractères (13 sans la clé), vous en avez ' +
    'saisi {n}.',
  'reason.nir.key-range': 'La clé (les deux derniers chiffres) est toujours comprise entre 01 et 97.',
  'reason.nir.key':
    'Les deux derniers chiffres (la clé) ne correspondent pas aux 13 premiers : un chiffre a sans doute ' +
    'été mal saisi. Vérifiez votre numéro sur votre carte Vitale.',
  'reason.email.non-ascii':
    'L’adresse contient des caractères accentués ou spéciaux ; écrivez un nom de domaine accentué sous sa ' +
    'forme « xn-- ».',
  'reason.email.characters':
    'L’adresse contient une espace, des guillemets ou un caractère qu’une adresse e-mail ne peut pas contenir.',
  'reason.email.at': 'Une adresse e-mail contient exactement un « @ ».',
  'reason.email.length': 'Cette adresse est trop longue pour être une adresse e-mail.',
  'reason.email.local': 'La partie avant le « @ » n’est pas valide (point au début, à la fin ou doublé ?).',
  'reason.email.domain': 'La partie après le « @ » n’est pas un nom de domaine valide (par exemple exemple.fr).',
  'reason.phone.characters':
    'Un numéro de téléphone ne contient que des chiffres, un « + » au début et des espaces, points ou tirets.',
  'reason.phone.prefix':
    'Indiquez un numéro français commençant par 0, ou un numéro étranger commençant par + ou 00.',
  'reason.phone.country': 'L’indicatif du pays ne peut pas commencer par 0.',
  'reason.phone.digits':
    'Le nombre de chiffres ne correspond pas : un numéro français compte 10 chiffres en commençant par 0.',
  'reason.other': 'Cette saisie n’est pas valide.',
  'class.names': 'noms et prénoms',
  'class.dates-of-birth': 'dates de naissance',
  'class.nir': 'numéros de sécurité sociale',
  'class.insurer-names': 'noms des organismes d’assurance',
  'class.email-addresses': 'adresses e-mail',
  'class.email': 'adresses e-mail',
  'class.phone-numbers': 'numéros de téléphone',
  'class.phone': 'numéros de téléphone',
  'class.addresses': 'adresses postales',
  'class.passwords': 'mots de passe',
};

const en = {
  'doc.title': 'Vigie — has my number leaked?',
  'lang.switch': 'Français',
  'lang.switch.label': 'Lire cette page en français',
  'header.title': 'Has my number leaked?',
  'header.lead':
    'Check whether your French social security number (NIR), e-mail address or phone number appears in a ' +
    'known data breach, without handing it to anyone.',
  'privacy.title': 'What leaves your browser',
  'privacy.sent':
    'Sent to the server: only {bits} of the fingerprint (SHA-256) of what you type, which picks one part ' +
    'out of {n} of the list of known fingerprints. Your browser downloads that whole part and looks for ' +
    'yours in it itself.',
  'privacy.sent.oprf':
    'Sent to the server: first, what you type scrambled by a random number only your browser knows (a ' +
    '“blinded” point that reveals nothing of what you typed), to which the server applies its secret key, ' +
    'with a proof, checked here, that it used its published key, the same for everyone. ' +
    'Then only {bits} of the resulting fingerprint, which picks one part out of {n} of the list of known ' +
    'fingerprints: your browser downloads that whole part and looks for yours in it itself.',
  'privacy.sent.all':
    'Sent to the server: nothing that depends on what you type. Your browser downloads the whole list of ' +
    'known fingerprints (SHA-256) and looks for yours in it itself.',
  'privacy.sent.all.oprf':
    'Sent to the server: only what you type scrambled by a random number only your browser knows (a ' +
    '“blinded” point that reveals nothing of what you typed), to which the server applies its secret key, ' +
    'with a proof, checked here, that it used its published key, the same for everyone. Your browser then ' +
    'downloads the whole list of known fingerprints and looks for yours in it itself.',
  'privacy.bits.one': 'the first bit',
  'privacy.bits.many': 'the first {s} bits',
  'privacy.nir':
    'For an NIR: of the at most 999 people born in the same month, in the same commune and of the same sex ' +
    'as you, ≈\u00a0{share} on average ({formula}) fall in that same part.',
  'privacy.kept':
    'Never sent: your number, the rest of its fingerprint, the result. Formatting, fingerprinting and the ' +
    'search in the downloaded part happen here, in your browser.',
  'privacy.kept.oprf':
    'Never sent: your number, the random number that scrambles it, the rest of its fingerprint, the result. ' +
    'Formatting, scrambling, fingerprinting and the search in the downloaded part happen here, in your ' +
    'browser.',
  'privacy.none':
    'No cookies, no analytics, no request to any other site. The check starts only when you press ' +
    '“Check”, never while you type.',
  'form.kind': 'What do you want to check?',
  'kind.nir': 'Social security number (NIR)',
  'kind.email': 'E-mail address',
  'kind.phone': 'Phone number',
  'label.nir': 'Your social security number',
  'label.email': 'Your e-mail address',
  'label.phone': 'Your phone number',
  'hint.nir':
    '15 characters (or 13 without the key), as printed on the Carte Vitale; spaces and dots are fine. ' +
    'Example: 2 84 05 2A 321 025 52.',
  'hint.email': 'For example: first.last@example.fr',
  'hint.phone': 'For example: 06 12 34 56 78 or +33 6 12 34 56 78',
  'form.submit': 'Check',
  'status.checking': 'Checking…',
  'status.unavailable': 'The checking service does not answer. Please try again in a few minutes.',
  'status.busy': 'Too many checks from your connection in a short time. Please try again in {s} seconds.',
  'status.scheme': 'This server protects its data with a method this page cannot use.',
  'status.kind': 'This server does not check this kind of identifier.',
  'status.corrupt':
    'Check failed: the list received from the server is damaged or incomplete. No result is shown, as it ' +
    'could be wrong. Please try again in a few minutes; if this persists, do not rely on this service.',
  'status.changed': 'The list of breaches was updated during your check. Please try again.',
  'status.unverified':
    'Check refused: the server’s answer does not prove that it used its published key, the same for ' +
    'everyone. No result is shown, as it could be wrong or let the server recognise you. Please try again ' +
    'later; if this persists, do not rely on this service.',
  'result.found.one': 'Your {what} appears in 1 known breach',
  'result.found.many': 'Your {what} appears in {n} known breaches',
  'result.absent': 'Your {what} appears in none of the breaches this service knows',
  'result.absent.caveat':
    'That does not prove it never leaked: only the breaches this service knows are checked ({n} so far).',
  'result.checked': 'Checked: {canonical}',
  'what.nir': 'social security number',
  'what.email': 'e-mail address',
  'what.phone': 'phone number',
  'breach.date': 'Breach date: {date}',
  'breach.classes': 'Data exposed: {classes}',
  'next.title': 'What to do now',
  'next.nir.1':
    'Be wary of calls, texts and e-mails that quote your number or your insurer: the Assurance Maladie and ' +
    'your insurer never ask for bank details, passwords or a code received by text.',
  'next.nir.2': 'Watch your reimbursements in your ameli account and your bank statements.',
  'next.nir.3':
    'An NIR cannot be changed, so stay careful over time. In case of fraud, get help at ' +
    'cybermalveillance.gouv.fr and file a complaint.',
  'next.email.1':
    'Change the password of the service concerned, and wherever you reused it; turn on two-factor ' +
    'authentication.',
  'next.email.2': 'Be wary of e-mails that reuse details from the breach to look genuine.',
  'next.email.3': 'In case of fraud, get help at cybermalveillance.gouv.fr.',
  'next.phone.1':
    'Expect fraudulent texts and calls: never give a code received by text, do not call unknown numbers back.',
  'next.phone.2': 'Report fraudulent texts by forwarding them to 33700.',
  'next.phone.3': 'In case of fraud, get help at cybermalveillance.gouv.fr.',
  'next.absent':
    'Stay careful with messages asking for personal details: new breaches are added as they become known.',
  'footer.text':
    'Vigie compares fingerprints, never numbers. The code of this page is the code your browser runs: ' +
    'nothing is hidden.',
  'reason.empty.nir': 'Please type your social security number.',
  'reason.empty.email': 'Please type your e-mail address.',
  'reason.empty.phone': 'Please type your phone number.',
  'reason.nir.characters':
    'A social security number holds only digits (and 2A or 2B for Corsica); only spaces, dots, dashes and ' +
    'slashes are accepted between them.',
  'reason.nir.corsica':
    'Characters 6 and 7 (the département of birth) may hold a letter only as 2A or 2B, for Corsica.',
  'reason.nir.length.short':
    'Some digits are missing: a social security number has 15 characters (13 without the key); you typed {n}.',
  'reason.nir.length.long':
    'Too many digits: a social security number has 15 characters (13 without the key); you typed {n}.',
  'reason.nir.key-range': 'The key (the last two digits) is always between 01 and 97.',
  'reason.nir.key':
    'The last two digits (the key) do not match the first 13: a digit was probably mistyped. Check your ' +
    'number on your Carte Vitale.',
  'reason.email.non-ascii':
    'The address holds accented or special characters; write an accented domain name in its “xn--” form.',
  'reason.email.characters': 'The address holds a space, quotes or a character no e-mail address may hold.',
  'reason.email.at': 'An e-mail address holds exactly one “@”.',
  'reason.email.length': 'This is too long to be an e-mail address.',
  'reason.email.local': 'The part before the “@” is not valid (a dot at the start, at the end or doubled?).',
  'reason.email.domain': 'The part after the “@” is not a valid domain name (for example example.fr).',
  'reason.phone.characters': 'A phone number holds only digits, a leading “+” and spaces, dots or dashes.',
  'reason.phone.prefix': 'Give a French number starting with 0, or a foreign one starting with + or 00.',
  'reason.phone.country': 'A country code cannot start with 0.',
  'reason.phone.digits':
    'The number of digits is wrong: a French number has 10 digits, starting with 0.',
  'reason.other': 'This is not valid.',
  'class.names': 'names',
  'class.dates-of-birth': 'dates of birth',
  'class.nir': 'social security numbers',
  'class.insurer-names': 'insurer names',
  'class.email-addresses': 'e-mail addresses',
  'class.email': 'e-mail addresses',
  'class.phone-numbers': 'phone numbers',
  'class.phone': 'phone numbers',
  'class.addresses': 'postal addresses',
  'class.passwords': 'passwords',
};

export const MESSAGES = { fr, en };

// The text of `key` in `lang` with {name} placeholders filled; falls back to French, then to the key.
export function t(lang, key, vars = {}) {
  const text = (MESSAGES[lang] && MESSAGES[lang][key]) || fr[key] || key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

function formatNumber(lang, x, options = {}) {
  return new Intl.NumberFormat(lang === 'fr' ? 'fr-FR' : 'en-GB', options).format(x);
}

// What the private path sends (PRODUCT.md §3b, §6): the first `shardBits` bits of the tag, which pick one
// shard of 2^shardBits (on oprf-p256 after a blinded evaluation); for a NIR, how many of the at most 999
// people born the same month in the same commune (with the same sex) share that shard: 999 / 2^s.
export function privacySent(lang, { oprf, shardBits, kind }) {
  const scheme = oprf ? '.oprf' : '';
  if (shardBits === 0) return t(lang, `privacy.sent.all${scheme}`);
  const n = 2 ** shardBits;
  const bits = t(lang, shardBits === 1 ? 'privacy.bits.one' : 'privacy.bits.many', { s: shardBits });
  const sent = t(lang, `privacy.sent${scheme}`, { bits, n: formatNumber(lang, n) });
  if (kind !== 'nir') return sent;
  const share = formatNumber(lang, 999 / n, { maximumSignificantDigits: 3 });
  // No-break spaces keep "≈ 15,6" and "999 / 64" on one line.
  return `${sent} ${t(lang, 'privacy.nir', { share, formula: `999\u00a0/\u00a0${formatNumber(lang, n)}` })}`;
}

// The message for a rejected input. `typed` is the number of significant characters (NIR length errors).
export function reasonMessage(lang, kind, reason, typed = 0) {
  if (reason === 'empty') return t(lang, `reason.empty.${kind}`);
  if (reason === 'nir.length') {
    return t(lang, typed > 15 ? 'reason.nir.length.long' : 'reason.nir.length.short', { n: typed });
  }
  const key = `reason.${reason}`;
  return key in fr ? t(lang, key) : t(lang, 'reason.other');
}

// A data class as people read it ("dates-of-birth" -> "dates de naissance"); unknown ones as given.
export function dataClassName(lang, name) {
  const key = `class.${String(name).toLowerCase()}`;
  return key in fr ? t(lang, key) : String(name);
}

// Each language has every key of the other (checked by web/test).
export function missingKeys() {
  const missing = [];
  for (const [a, b, name] of [[fr, en, 'en'], [en, fr, 'fr']]) {
    for (const key of Object.keys(a)) if (!(key in b)) missing.push(`${name}:${key}`);
  }
  return missing;
}
