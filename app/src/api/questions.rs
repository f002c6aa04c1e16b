//! What a destructive action asks before it is done, in one place: the button's dialog (with
//! JavaScript) and the server's confirmation page (without) say the same.

use crate::i18n::Lang;

pub fn close_grant(lang: Lang) -> String {
    lang.pick(
        "Fermer ce relais ? Les envois depuis ce réseau seront refusés aussitôt.",
        "Close this relay grant? Mail from that network is refused at once.",
    )
    .to_string()
}

pub fn unqueue(lang: Lang) -> String {
    lang.pick(
        "Retirer ce message de la file ? Il ne sera pas distribué, et l'expéditeur n'en sera pas averti.",
        "Take this message off the queue? It will not be delivered, and its sender is not told.",
    )
    .to_string()
}

pub fn delete_backup(lang: Lang) -> String {
    lang.pick(
        "Supprimer cette sauvegarde ? Elle ne pourra plus être téléchargée ni restaurée.",
        "Delete this backup? It can no longer be downloaded or restored.",
    )
    .to_string()
}

pub fn remove_alias(lang: Lang, alias: &str) -> String {
    match lang {
        Lang::Fr => {
            format!("Retirer l'alias {alias} ? Le courrier qui lui est adressé sera refusé.")
        }
        Lang::En => format!("Remove the alias {alias}? Mail sent to it will be refused."),
    }
}
